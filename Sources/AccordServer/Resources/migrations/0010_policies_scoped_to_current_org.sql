-- Inside an organization, a statement sees that organization's rows and nothing else, whatever it forgets to
-- filter: a user's own rows in their other organizations are visible only when no organization is set, which
-- is how /v1/me lists them and how a request finds the organization it names.

DROP POLICY organizations_visible ON organizations;
CREATE POLICY organizations_visible ON organizations
    USING (id = accord_current_org()
           OR (accord_current_org() IS NULL
               AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organizations.id AND m.user_id = accord_current_user())))
    WITH CHECK (id = accord_current_org());

DROP POLICY memberships_tenant ON memberships;
CREATE POLICY memberships_tenant ON memberships
    USING (org_id = accord_current_org() OR (accord_current_org() IS NULL AND user_id = accord_current_user()))
    WITH CHECK (org_id = accord_current_org());

DROP POLICY teams_tenant ON teams;
CREATE POLICY teams_tenant ON teams
    USING (org_id = accord_current_org()
           OR (accord_current_org() IS NULL
               AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = teams.org_id AND m.user_id = accord_current_user())))
    WITH CHECK (org_id = accord_current_org());

DROP POLICY team_members_tenant ON team_members;
CREATE POLICY team_members_tenant ON team_members
    USING (org_id = accord_current_org() OR (accord_current_org() IS NULL AND user_id = accord_current_user()))
    WITH CHECK (org_id = accord_current_org());
