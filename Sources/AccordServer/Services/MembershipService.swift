public import AccordCore
public import Foundation
import Logging
import PostgresNIO

/// Members and teams of one organization; every method runs inside `OrganizationService.inOrganization`.
public struct MembershipService: Sendable {
    public func members(in tx: Transaction, access: OrganizationAccess) async throws -> [Member] {
        let org = access.organization.id
        let teams = try await memberTeams(in: tx, org: org)
        return try await tx.rows(
            """
            SELECT u.id, u.email, u.name, m.role, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.org_id = \(org) ORDER BY u.name, u.email
            """,
            as: (UUID, String, String, String, Date).self
        ).map { id, email, name, role, joined in
            Member(
                user: UserSummary(id: id, email: email, name: name), role: MemberRole(rawValue: role) ?? .viewer,
                teams: teams[id] ?? [], joinedAt: joined
            )
        }
    }

    /// Adds an existing user, found by email, with a role and teams.
    public func add(_ request: AddMemberRequest, in tx: Transaction, access: OrganizationAccess) async throws -> Member {
        try requireManager(access, assigning: request.role)
        let email = try Validators.email(request.email)
        guard let user = try await tx.first("SELECT id, email, name FROM users WHERE lower(email) = \(email)", as: (UUID, String, String).self) else {
            throw APIError.invalid(FieldError(field: "email", message: "belongs to no Accord account; ask them to sign up first"))
        }
        let org = access.organization.id
        let teamIDs = try await resolveTeams(request.teams ?? [], in: tx, org: org)
        let inserted = try await tx.first(
            """
            INSERT INTO memberships (org_id, user_id, role, added_by) VALUES (\(org), \(user.0), \(request.role.rawValue), \(access.userID))
            ON CONFLICT DO NOTHING RETURNING created_at
            """,
            as: Date.self
        )
        guard let joinedAt = inserted else {
            throw APIError.conflict("already_member", "\(email) is already a member; change their role with PATCH instead.")
        }
        try await replaceTeams(of: user.0, with: teamIDs, in: tx, org: org)
        let teams = try await memberTeams(in: tx, org: org)[user.0] ?? []
        return Member(user: UserSummary(id: user.0, email: user.1, name: user.2), role: request.role, teams: teams, joinedAt: joinedAt)
    }

    /// Changes a member's role or teams.
    public func update(_ reference: String, with request: UpdateMemberRequest, in tx: Transaction, access: OrganizationAccess) async throws -> Member {
        let org = access.organization.id
        let target = try await member(reference, in: tx, org: org)
        if let role = request.role, role != target.role {
            try requireManager(access, assigning: role)
            try requireManager(access, assigning: target.role)
            if target.role == .owner { try await requireAnotherOwner(besides: target.user.id, in: tx, org: org) }
            try await tx.query("UPDATE memberships SET role = \(role.rawValue) WHERE org_id = \(org) AND user_id = \(target.user.id)")
        }
        if let teams = request.teams {
            try requireManager(access, assigning: target.role)
            try await replaceTeams(of: target.user.id, with: try await resolveTeams(teams, in: tx, org: org), in: tx, org: org)
        }
        return try await member(target.user.id.uuidString, in: tx, org: org)
    }

    /// Removes a member; anyone may leave, and managers may remove others. The last owner stays.
    public func remove(_ reference: String, in tx: Transaction, access: OrganizationAccess) async throws {
        let org = access.organization.id
        let target = try await member(reference, in: tx, org: org)
        if target.user.id != access.userID {
            try requireManager(access, assigning: target.role)
        }
        if target.role == .owner { try await requireAnotherOwner(besides: target.user.id, in: tx, org: org) }
        try await tx.query("DELETE FROM memberships WHERE org_id = \(org) AND user_id = \(target.user.id)")
    }

    public func teams(in tx: Transaction, org: UUID) async throws -> [Team] {
        try await tx.rows("SELECT id, name, created_at FROM teams WHERE org_id = \(org) ORDER BY name", as: (UUID, String, Date).self)
            .map { Team(id: $0.0, name: $0.1, createdAt: $0.2) }
    }

    public func createTeam(_ request: CreateTeamRequest, in tx: Transaction, access: OrganizationAccess) async throws -> Team {
        guard access.role.managesMembers else {
            throw APIError.forbidden("Only owners and admins create teams; your role is \(access.role.rawValue).")
        }
        let name = try Validators.name(request.name)
        let id = UUID()
        let created = try await tx.first(
            "INSERT INTO teams (org_id, id, name) VALUES (\(access.organization.id), \(id), \(name)) ON CONFLICT DO NOTHING RETURNING created_at",
            as: Date.self
        )
        guard let created else { throw APIError.conflict("team_exists", "A team named \(name) already exists.", details: ["field": "name"]) }
        return Team(id: id, name: name, createdAt: created)
    }

    func requireManager(_ access: OrganizationAccess, assigning role: MemberRole) throws {
        guard access.role.managesMembers else {
            throw APIError.forbidden("Only owners and admins manage members; your role is \(access.role.rawValue).")
        }
        guard access.role.mayAssign(role) else {
            throw APIError.forbidden("Only owners grant, change or remove the owner role.")
        }
    }

    /// Locks the owners' memberships before counting them: two owners demoting each other at once would each
    /// count the other and leave the organization with none. The second waits, then counts what the first left.
    private func requireAnotherOwner(besides user: UUID, in tx: Transaction, org: UUID) async throws {
        let owners = try await tx.first(
            """
            SELECT count(*)::int FROM (SELECT user_id FROM memberships WHERE org_id = \(org) AND role = 'owner' FOR UPDATE) owners
            WHERE user_id <> \(user)
            """,
            as: Int.self
        ) ?? 0
        guard owners > 0 else {
            throw APIError.conflict("last_owner", "An organization needs an owner; make another member owner first.")
        }
    }

    /// A member by user id or email; 404 when the user is not in this organization.
    private func member(_ reference: String, in tx: Transaction, org: UUID) async throws -> Member {
        guard let row = try await tx.first(
            """
            SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.org_id = \(org) AND (u.id::text = \(reference.lowercased()) OR lower(u.email) = \(reference.lowercased()))
            """,
            as: (UUID, String, String, String, Date).self
        ) else { throw APIError.notFound("Member '\(reference)'") }
        let teams = try await memberTeams(in: tx, org: org)[row.0] ?? []
        return Member(
            user: UserSummary(id: row.0, email: row.1, name: row.2), role: MemberRole(rawValue: row.3) ?? .viewer, teams: teams,
            joinedAt: row.4
        )
    }

    private func memberTeams(in tx: Transaction, org: UUID) async throws -> [UUID: [Team]] {
        let rows = try await tx.rows(
            """
            SELECT tm.user_id, t.id, t.name, t.created_at FROM team_members tm
            JOIN teams t ON t.org_id = tm.org_id AND t.id = tm.team_id WHERE tm.org_id = \(org) ORDER BY t.name
            """,
            as: (UUID, UUID, String, Date).self
        )
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map { Team(id: $0.1, name: $0.2, createdAt: $0.3) } }
    }

    /// Team ids for names (any case) or ids; an unknown one is a 422 naming it.
    func resolveTeams(_ references: [String], in tx: Transaction, org: UUID) async throws -> [UUID] {
        let teams = try await teams(in: tx, org: org)
        return try references.enumerated().map { index, reference in
            guard let team = teams.first(where: { $0.id.uuidString.lowercased() == reference.lowercased() || $0.name.lowercased() == reference.lowercased() }) else {
                let known = teams.map(\.name).joined(separator: ", ")
                throw APIError.invalid(FieldError(field: "teams[\(index)]", message: "names no team of this organization ('\(reference)'); teams are \(known)"))
            }
            return team.id
        }
    }

    func replaceTeams(of user: UUID, with teams: [UUID], in tx: Transaction, org: UUID) async throws {
        try await tx.query("DELETE FROM team_members WHERE org_id = \(org) AND user_id = \(user)")
        for team in Set(teams) {
            try await tx.query("INSERT INTO team_members (org_id, team_id, user_id) VALUES (\(org), \(team), \(user))")
        }
    }
}
