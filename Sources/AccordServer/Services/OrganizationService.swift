public import AccordCore
public import Foundation
public import Logging
import PostgresNIO

/// The organization a request acts in, and the caller's role there.
public struct OrganizationAccess: Sendable {
    public var organization: Organization
    public var role: MemberRole
    public var userID: UUID
    /// The names of the caller's teams in the organization, which collection rules may ask about.
    public var teams: Set<String>

    /// The caller as collection rules see them, acting from `origin`.
    func actor(_ origin: RuleActor.Origin) -> RuleActor {
        RuleActor(userID: userID, role: role, teams: teams, origin: origin)
    }
}

/// Organizations and the caller's access to them.
///
/// Every tenant operation runs inside `inOrganization`, which finds the organization among those the caller
/// belongs to and scopes the transaction to it, so a non-member gets the same 404 as for an organization
/// that does not exist, and RLS confines each statement to the one tenant.
public struct OrganizationService: Sendable {
    let database: Database
    let cache: AccessCache

    /// Runs `body` scoped to the organization `reference` (an id or a slug) names, as `identity`.
    public func inOrganization<Result: Sendable>(
        _ reference: String,
        as identity: Identity,
        isolation: IsolationLevel = .readCommitted,
        logger: Logger,
        _ body: (Transaction, OrganizationAccess) async throws -> Result
    ) async throws -> Result {
        if let access = cache.access(reference, user: identity.userID) {
            return try await database.transaction(user: identity.userID, org: access.organization.id, isolation: isolation, logger: logger) { tx in
                try await body(tx, access)
            }
        }
        let ticket = cache.ticket()
        return try await database.transaction(user: identity.userID, isolation: isolation, logger: logger) { tx in
            // Starts from the caller's memberships, so the lookup is by index whichever form the reference has,
            // and scopes the transaction to the organization it finds in the same round trip. A reference that reads
            // as an id is matched as an id only, never as a slug, so it can name no other organization.
            let found: (UUID, String, String, Date, String, String)?
            if let id = UUID(uuidString: reference) {
                found = try await tx.first(
                    """
                    SELECT o.id, o.slug, o.name, o.created_at, m.role, set_config('accord.org_id', o.id::text, true)
                    FROM memberships m JOIN organizations o ON o.id = m.org_id
                    WHERE m.user_id = \(identity.userID) AND o.id = \(id)
                    """,
                    as: (UUID, String, String, Date, String, String).self
                )
            } else {
                found = try await tx.first(
                    """
                    SELECT o.id, o.slug, o.name, o.created_at, m.role, set_config('accord.org_id', o.id::text, true)
                    FROM memberships m JOIN organizations o ON o.id = m.org_id
                    WHERE m.user_id = \(identity.userID) AND o.slug = \(reference)
                    """,
                    as: (UUID, String, String, Date, String, String).self
                )
            }
            guard let row = found, let role = MemberRole(rawValue: row.4)
            else { throw APIError.organizationNotFound(reference) }
            let organization = Organization(id: row.0, slug: row.1, name: row.2, createdAt: row.3)
            // Read once the transaction is scoped, so row-level security lets it see the organization's teams.
            let teams = try await tx.rows(
                """
                SELECT t.name FROM team_members tm JOIN teams t ON t.org_id = tm.org_id AND t.id = tm.team_id
                WHERE tm.org_id = \(organization.id) AND tm.user_id = \(identity.userID)
                """,
                as: String.self
            )
            let access = OrganizationAccess(organization: organization, role: role, userID: identity.userID, teams: Set(teams))
            cache.remember(access, reference: reference, ticket: ticket)
            return try await body(tx, access)
        }
    }

    /// The caller's access to `reference` when it is known without asking the database.
    func cachedAccess(_ reference: String, as identity: Identity) -> OrganizationAccess? {
        cache.access(reference, user: identity.userID)
    }

    /// Forgets every remembered access, after a change to memberships has committed.
    func accessChanged() {
        cache.clear()
    }

    /// Creates an organization owned by `identity`, with the standard teams.
    public func create(name rawName: String, slug rawSlug: String?, as identity: Identity, logger: Logger) async throws -> Organization {
        let name = try Validators.name(rawName)
        let slug = try Validators.slug(rawSlug ?? Validators.suggestedSlug(for: name))
        let id = UUID()
        do {
            return try await database.transaction(user: identity.userID, org: id, logger: logger) { tx in
                let createdAt = try await tx.first(
                    "INSERT INTO organizations (id, slug, name, created_by) VALUES (\(id), \(slug), \(name), \(identity.userID)) RETURNING created_at",
                    as: Date.self
                )
                try await tx.query(
                    "INSERT INTO memberships (org_id, user_id, role, added_by) VALUES (\(id), \(identity.userID), 'owner', \(identity.userID))"
                )
                try await tx.query("INSERT INTO sync_heads (org_id) VALUES (\(id))")
                for team in StandardTeam.allCases {
                    try await tx.query("INSERT INTO teams (org_id, id, name) VALUES (\(id), \(UUID()), \(team.rawValue))")
                }
                return Organization(id: id, slug: slug, name: name, createdAt: createdAt ?? Date())
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw {
            throw APIError.conflict("slug_taken", "The slug '\(slug)' is taken; choose another.", details: ["field": "slug"])
        }
    }

    /// The caller's memberships across every organization, for `GET /v1/me`.
    public func memberships(of identity: Identity, logger: Logger) async throws -> [Membership] {
        try await database.transaction(user: identity.userID, logger: logger) { tx in
            let teams = try await tx.rows(
                """
                SELECT tm.org_id, t.name FROM team_members tm JOIN teams t ON t.org_id = tm.org_id AND t.id = tm.team_id
                WHERE tm.user_id = \(identity.userID) ORDER BY t.name
                """,
                as: (UUID, String).self
            )
            let teamsByOrg = Dictionary(grouping: teams, by: \.0).mapValues { $0.map(\.1) }
            return try await tx.rows(
                """
                SELECT o.id, o.slug, o.name, o.created_at, m.role
                FROM memberships m JOIN organizations o ON o.id = m.org_id
                WHERE m.user_id = \(identity.userID) ORDER BY o.name
                """,
                as: (UUID, String, String, Date, String).self
            ).map { id, slug, name, created, role in
                Membership(
                    organization: Organization(id: id, slug: slug, name: name, createdAt: created),
                    role: MemberRole(rawValue: role) ?? .viewer,
                    teams: teamsByOrg[id] ?? []
                )
            }
        }
    }
}
