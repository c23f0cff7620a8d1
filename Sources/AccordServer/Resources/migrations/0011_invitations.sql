-- Adding someone to an organization is an invitation they accept. Until they do, the organization learns
-- nothing about the address: not whether it has an account, nor its name.

CREATE TABLE invitations (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email      text NOT NULL CHECK (email = lower(email)),
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    teams      uuid[] NOT NULL DEFAULT '{}',
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX invitations_email_idx ON invitations (email);

-- Inside an organization, its invitations; outside any, the ones addressed to the caller's email, which is
-- how they list and accept them.
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_tenant ON invitations
    USING (org_id = accord_current_org()
           OR (accord_current_org() IS NULL
               AND email = (SELECT lower(u.email) FROM users u WHERE u.id = accord_current_user())))
    WITH CHECK (org_id = accord_current_org());

-- An invitee, outside any organization, also sees the name of the organization inviting them and of the
-- teams they are to join.
DROP POLICY organizations_visible ON organizations;
CREATE POLICY organizations_visible ON organizations
    USING (id = accord_current_org()
           OR (accord_current_org() IS NULL
               AND (EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organizations.id AND m.user_id = accord_current_user())
                    OR EXISTS (SELECT 1 FROM invitations i WHERE i.org_id = organizations.id))))
    WITH CHECK (id = accord_current_org());

DROP POLICY teams_tenant ON teams;
CREATE POLICY teams_tenant ON teams
    USING (org_id = accord_current_org()
           OR (accord_current_org() IS NULL
               AND (EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = teams.org_id AND m.user_id = accord_current_user())
                    OR EXISTS (SELECT 1 FROM invitations i WHERE i.org_id = teams.org_id))))
    WITH CHECK (org_id = accord_current_org());
