-- Servers remember who a token belongs to and which organizations a user may enter. Any change to that,
-- from any server instance, the admin command or plain SQL, tells every instance on commit, so none of them
-- keeps acting on access that was taken away.

CREATE FUNCTION accord_notify_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('accord_access', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- Only the columns a cached identity depends on: the last-use stamp a request writes must not clear the caches.
CREATE TRIGGER tokens_access_changed AFTER UPDATE OF revoked_at, expires_at, user_id, token_hash OR DELETE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION accord_notify_access();
CREATE TRIGGER users_access_changed AFTER UPDATE OF email, name OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION accord_notify_access();
CREATE TRIGGER memberships_access_changed AFTER UPDATE OR DELETE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION accord_notify_access();
CREATE TRIGGER organizations_access_changed AFTER UPDATE OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION accord_notify_access();
