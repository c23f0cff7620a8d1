-- Identity, organizations, membership and teams, with row-level security on every tenant table.

-- The application role serves requests. It owns nothing, is no superuser and cannot bypass RLS;
-- the role that runs migrations owns every table.
-- Roles are shared by the whole cluster, so another database's migration may create it at the same moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'accord_app') THEN
        CREATE ROLE accord_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
-- Lets a deployment with one database login serve requests as the application role (SET LOCAL ROLE).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'accord_app', 'MEMBER') THEN
        EXECUTE format('GRANT accord_app TO %I', current_user);
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO accord_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accord_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO accord_app;
-- Readiness checks compare the applied migrations with the ones the server knows.
GRANT SELECT ON schema_migrations TO accord_app;

-- The tenant and the user a request acts for, set per transaction with set_config(..., true).
CREATE FUNCTION accord_current_org() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('accord.org_id', true), '')::uuid $$;
CREATE FUNCTION accord_current_user() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('accord.user_id', true), '')::uuid $$;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('session', 'personal')),
    name         text NOT NULL,
    prefix       text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX tokens_user_idx ON tokens (user_id) WHERE revoked_at IS NULL;

-- Failed logins, counted per account and per client address for rate limiting across instances.
CREATE TABLE login_failures (
    scope     text NOT NULL CHECK (scope IN ('account', 'address')),
    key       text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (scope, key, failed_at);

-- The tenant registry. A user sees the organizations they belong to, and the one their request acts in.
CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    added_by   uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE teams (
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id         uuid NOT NULL,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX teams_name_key ON teams (org_id, lower(name));

CREATE TABLE team_members (
    org_id  uuid NOT NULL,
    team_id uuid NOT NULL,
    user_id uuid NOT NULL,
    PRIMARY KEY (org_id, team_id, user_id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_visible ON organizations
    USING (id = accord_current_org()
           OR EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organizations.id
                                                 AND m.user_id = accord_current_user()))
    WITH CHECK (id = accord_current_org());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
-- A user also sees their own memberships in other organizations, so /v1/me can list them.
CREATE POLICY memberships_tenant ON memberships
    USING (org_id = accord_current_org() OR user_id = accord_current_user())
    WITH CHECK (org_id = accord_current_org());

ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
ALTER TABLE teams FORCE ROW LEVEL SECURITY;
-- Members also see the team names of their other organizations, for /v1/me.
CREATE POLICY teams_tenant ON teams
    USING (org_id = accord_current_org()
           OR EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = teams.org_id
                                                 AND m.user_id = accord_current_user()))
    WITH CHECK (org_id = accord_current_org());

ALTER TABLE team_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE team_members FORCE ROW LEVEL SECURITY;
CREATE POLICY team_members_tenant ON team_members
    USING (org_id = accord_current_org() OR user_id = accord_current_user())
    WITH CHECK (org_id = accord_current_org());
