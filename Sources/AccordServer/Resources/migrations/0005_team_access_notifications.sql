-- A member's teams now count towards what they may do (collection rules read them), and servers remember
-- them with the member's access, so a change to who is in which team clears the caches like a role change.

CREATE TRIGGER team_members_access_changed AFTER INSERT OR UPDATE OR DELETE ON team_members
    FOR EACH STATEMENT EXECUTE FUNCTION accord_notify_access();
CREATE TRIGGER teams_access_changed AFTER UPDATE OR DELETE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION accord_notify_access();
