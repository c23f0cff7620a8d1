public import AccordCore
public import Foundation
import HTTPTypes
import PostgresNIO

/// Invitations: an owner or admin invites an email address; its account, once it has one, accepts or declines.
/// Inviting answers the same whether or not the address has an account, so it reveals nothing about anyone.
extension MembershipService {
    static let invitationLifetime: TimeInterval = 14 * 24 * 3600

    /// Invites `request.email` with a role and teams; inviting an address again replaces its invitation.
    public func invite(_ request: AddMemberRequest, in tx: Transaction, access: OrganizationAccess) async throws -> Invitation {
        try requireManager(access, assigning: request.role)
        let email = try Validators.email(request.email)
        let org = access.organization.id
        let teamIDs = try await resolveTeams(request.teams ?? [], in: tx, org: org)
        // Already a member is visible to a manager anyway, in the member list.
        let member = try await tx.first(
            "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = \(org) AND lower(u.email) = \(email)", as: Int.self
        )
        if member != nil {
            throw APIError.conflict("already_member", "\(email) is already a member; change their role with PATCH instead.")
        }
        let expiresAt = Date().addingTimeInterval(Self.invitationLifetime)
        let id = try await tx.first(
            """
            INSERT INTO invitations (id, org_id, email, role, teams, invited_by, expires_at)
            VALUES (\(UUID()), \(org), \(email), \(request.role.rawValue), \(Array(Set(teamIDs))), \(access.userID), \(expiresAt))
            ON CONFLICT (org_id, email) DO UPDATE
                SET role = EXCLUDED.role, teams = EXCLUDED.teams, invited_by = EXCLUDED.invited_by,
                    created_at = now(), expires_at = EXCLUDED.expires_at
            RETURNING id
            """,
            as: UUID.self
        )
        guard let id, let invitation = try await invitations(in: tx, id: id).first else {
            throw APIError.organizationNotFound(org.lowercasedText)
        }
        return invitation
    }

    /// The organization's pending invitations (owners and admins).
    public func pendingInvitations(in tx: Transaction, access: OrganizationAccess) async throws -> [Invitation] {
        guard access.role.managesMembers else {
            throw APIError.forbidden("Only owners and admins see invitations; your role is \(access.role.rawValue).")
        }
        return try await invitations(in: tx)
    }

    /// Withdraws an invitation; 404 when there is none by that id.
    public func withdrawInvitation(_ id: UUID, in tx: Transaction, access: OrganizationAccess) async throws {
        guard access.role.managesMembers else {
            throw APIError.forbidden("Only owners and admins withdraw invitations; your role is \(access.role.rawValue).")
        }
        guard try await tx.first("DELETE FROM invitations WHERE id = \(id) RETURNING id", as: UUID.self) != nil else {
            throw Self.noInvitation(id)
        }
    }

    /// The unexpired invitations `tx`'s rows show (or the one with `id`), newest first: the organization's, or,
    /// outside any organization, the caller's own.
    func invitations(in tx: Transaction, id: UUID? = nil) async throws -> [Invitation] {
        try await tx.rows(
            """
            SELECT i.id, o.id, o.slug, o.name, o.created_at, i.email, i.role, u.name, i.created_at, i.expires_at,
                   coalesce((SELECT array_agg(t.name ORDER BY t.name) FROM teams t WHERE t.org_id = i.org_id AND t.id = ANY(i.teams)), '{}')
            FROM invitations i JOIN organizations o ON o.id = i.org_id LEFT JOIN users u ON u.id = i.invited_by
            WHERE i.expires_at > now() AND (\(id)::uuid IS NULL OR i.id = \(id))
            ORDER BY i.created_at DESC
            """,
            as: (UUID, UUID, String, String, Date, String, String, String?, Date, Date, [String]).self
        ).map { id, org, slug, name, orgCreated, email, role, inviter, created, expires, teams in
            Invitation(
                id: id, organization: Organization(id: org, slug: slug, name: name, createdAt: orgCreated), email: email,
                role: MemberRole(rawValue: role) ?? .viewer, teams: teams, invitedBy: inviter, createdAt: created, expiresAt: expires
            )
        }
    }

    /// Makes the caller a member as invitation `id` says, in the caller's transaction outside any organization,
    /// which it then scopes to the invitation's organization. Returns the invitation accepted.
    func accept(_ id: UUID, as user: UUID, in tx: Transaction) async throws -> Invitation {
        guard let invitation = try await invitations(in: tx, id: id).first,
              let teams = try await tx.first("SELECT teams FROM invitations WHERE id = \(id)", as: [UUID].self)
        else { throw Self.noInvitation(id) }
        let org = invitation.organization.id
        try await tx.query("SELECT set_config('accord.org_id', \(org.lowercasedText), true)")
        try await tx.query(
            """
            INSERT INTO memberships (org_id, user_id, role, added_by)
            SELECT \(org), \(user), role, invited_by FROM invitations WHERE id = \(id)
            ON CONFLICT DO NOTHING
            """
        )
        let existing = try await tx.rows("SELECT id FROM teams WHERE org_id = \(org) AND id = ANY(\(teams))", as: UUID.self)
        try await replaceTeams(of: user, with: existing, in: tx, org: org)
        try await tx.query("DELETE FROM invitations WHERE id = \(id)")
        return invitation
    }

    /// Turns invitation `id` down; outside any organization, so only its invitee can.
    func decline(_ id: UUID, in tx: Transaction) async throws {
        guard try await tx.first("DELETE FROM invitations WHERE id = \(id) RETURNING id", as: UUID.self) != nil else {
            throw Self.noInvitation(id)
        }
    }

    static func noInvitation(_ id: UUID) -> APIError {
        APIError(.notFound, code: "invitation_not_found", message: "There is no pending invitation \(id.lowercasedText) for you; it may have expired or been withdrawn. Ask the organization's owner to invite you again.")
    }
}
