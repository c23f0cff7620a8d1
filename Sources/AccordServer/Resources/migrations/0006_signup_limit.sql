-- Signups are counted per client address, beside failed logins, so one address cannot create accounts
-- (and make the server hash their passwords) without limit.

ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check CHECK (scope IN ('account', 'address', 'signup'));
