-- A push adds its batch's digests to the stored checksums in place instead of reading and rewriting them.
-- Checksums are sums modulo 2^64, stored as signed bigints, so the addition wraps as the clients' does.
CREATE FUNCTION accord_wrapping_add(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (((a::numeric + b::numeric + 9223372036854775808) % 18446744073709551616 + 18446744073709551616)
            % 18446744073709551616 - 9223372036854775808)::bigint
$$;
