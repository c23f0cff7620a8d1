-- Realtime streams live on a token and a membership. When either ends, every instance hears which one, so it
-- can end the streams that lived on it rather than keep poking a caller who may no longer know.

CREATE FUNCTION accord_notify_token_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('accord_access', 'token:' || OLD.id);
    RETURN NULL;
END
$$;

CREATE FUNCTION accord_notify_membership_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('accord_access', 'member:' || OLD.org_id || ':' || OLD.user_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER tokens_ended AFTER DELETE ON tokens
    FOR EACH ROW EXECUTE FUNCTION accord_notify_token_ended();
CREATE TRIGGER tokens_revoked AFTER UPDATE OF revoked_at, expires_at ON tokens
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL OR NEW.expires_at IS DISTINCT FROM OLD.expires_at)
    EXECUTE FUNCTION accord_notify_token_ended();
CREATE TRIGGER memberships_ended AFTER DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION accord_notify_membership_ended();
