-- A login attempt is counted before its password is hashed, as a failure until it succeeds; the attempt id
-- lets a success take back the row it counted against its address.

ALTER TABLE login_failures ADD COLUMN attempt uuid;
