import NIOCore
import HTTPTypes
import Hummingbird
import AccordCore
import HummingbirdTesting
import AccordServer
import Foundation
import PostgresNIO
import Testing

/// Connects as the application role and shows that PostgreSQL confines it to one tenant by itself,
/// even for a query that forgets the organization filter.
@Suite("Row-level security for the application role")
struct RowLevelSecurityTests {
    @Test func anUnfilteredQuerySeesOnlyTheOrganizationSetLocally() async throws {
        try await TestDatabase.with { database in
            let (acme, globex) = try await seedTwoOrganizations(database)
            try await TestDatabase.withConnection(to: database.application) { connection in
                for (org, expected) in [(acme, "Acme team"), (globex, "Globex team")] {
                    try await connection.query("BEGIN", logger: testLogger)
                    try await connection.query("SELECT set_config('accord.org_id', \(org.uuidString), true)", logger: testLogger)
                    var names: [String] = []
                    for try await name in try await connection.query("SELECT name FROM teams", logger: testLogger).decode(String.self) {
                        names.append(name)
                    }
                    var orgs: [UUID] = []
                    for try await id in try await connection.query("SELECT org_id FROM memberships", logger: testLogger).decode(UUID.self) {
                        orgs.append(id)
                    }
                    try await connection.query("COMMIT", logger: testLogger)
                    #expect(names == [expected])
                    #expect(orgs == [org])
                }
                // SET LOCAL ends with its transaction: the next one sees no tenant at all.
                var leaked = 0
                for try await count in try await connection.query("SELECT count(*)::int FROM teams", logger: testLogger).decode(Int.self) {
                    leaked = count
                }
                #expect(leaked == 0)
            }
        }
    }

    @Test func insideAnOrganizationEvenTheCallersOwnRowsElsewhereAreOutOfReach() async throws {
        try await TestDatabase.with { database in
            let (acme, globex) = try await seedTwoOrganizations(database)
            try await TestDatabase.withConnection(to: database.application) { connection in
                func count(_ sql: String) async throws -> Int {
                    var result = -1
                    for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger).decode(Int.self) { result = value }
                    return result
                }
                let user = "(SELECT id FROM users WHERE email = 'u@example.com')"
                try await connection.query("BEGIN", logger: testLogger)
                // The caller belongs to both organizations and acts in Acme.
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT set_config('accord.user_id', \(user)::text, true)"), logger: testLogger)
                try await connection.query("SELECT set_config('accord.org_id', \(acme.uuidString), true)", logger: testLogger)
                for table in ["organizations", "memberships", "teams", "team_members"] {
                    #expect(try await count("SELECT count(*)::int FROM \(table)") == 1, "\(table) shows Acme's row only")
                }
                #expect(try await count("WITH changed AS (UPDATE memberships SET role = 'viewer' RETURNING 1) SELECT count(*)::int FROM changed") == 1)
                #expect(try await count("WITH changed AS (UPDATE teams SET name = 'renamed' RETURNING 1) SELECT count(*)::int FROM changed") == 1)
                #expect(try await count("WITH gone AS (DELETE FROM team_members RETURNING 1) SELECT count(*)::int FROM gone") == 1)
                #expect(try await count("WITH changed AS (UPDATE organizations SET name = 'renamed' RETURNING 1) SELECT count(*)::int FROM changed") == 1)
                try await connection.query("ROLLBACK", logger: testLogger)

                // With no organization set, the caller sees their own memberships everywhere, as /v1/me lists them.
                try await connection.query("BEGIN", logger: testLogger)
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT set_config('accord.user_id', \(user)::text, true)"), logger: testLogger)
                #expect(try await count("SELECT count(*)::int FROM memberships") == 2)
                #expect(try await count("SELECT count(*)::int FROM organizations WHERE id IN ('\(acme)', '\(globex)')") == 2)
                await #expect(throws: PSQLError.self, "and can change none of them without an organization") {
                    try await connection.query("UPDATE memberships SET role = 'viewer'", logger: testLogger)
                }
                try await connection.query("ROLLBACK", logger: testLogger)
            }
        }
    }

    @Test func anInsertIntoAnotherTenantIsRefused() async throws {
        try await TestDatabase.with { database in
            let (acme, globex) = try await seedTwoOrganizations(database)
            try await TestDatabase.withConnection(to: database.application) { connection in
                try await connection.query("BEGIN", logger: testLogger)
                try await connection.query("SELECT set_config('accord.org_id', \(acme.uuidString), true)", logger: testLogger)
                await #expect(throws: PSQLError.self) {
                    try await connection.query("INSERT INTO teams (org_id, id, name) VALUES (\(globex), \(UUID()), 'Planted')", logger: testLogger)
                }
                try await connection.query("ROLLBACK", logger: testLogger)
            }
        }
    }

    @Test func turningRowSecurityOffFailsForTheApplicationRole() async throws {
        try await TestDatabase.with { database in
            _ = try await seedTwoOrganizations(database)
            try await TestDatabase.withConnection(to: database.application) { connection in
                try await connection.query("SET row_security = off", logger: testLogger)
                let error = await #expect(throws: PSQLError.self) {
                    try await connection.query("SELECT count(*) FROM teams", logger: testLogger)
                }
                #expect(error?.serverInfo?[.message]?.contains("row-level security") == true)
            }
        }
    }

    @Test func everyTableWithAnOrgIdHasRowLevelSecurityEnabledAndForced() async throws {
        try await TestDatabase.with { database in
            _ = try await seedTwoOrganizations(database)
            try await TestDatabase.withConnection(to: database.owner) { connection in
                var tables: [(String, Bool, Bool)] = []
                let catalog: PostgresQuery = """
                    SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                    ORDER BY 1
                    """
                for try await row in try await connection.query(catalog, logger: testLogger).decode((String, Bool, Bool).self) {
                    tables.append(row)
                }
                #expect(Set(tables.map(\.0)).isSuperset(of: ["memberships", "teams", "team_members"]))
                for (table, enabled, forced) in tables {
                    #expect(enabled, "RLS is not enabled on \(table)")
                    #expect(forced, "RLS is not forced on \(table)")
                }
            }
        }
    }

    @Test func theApplicationRoleIsNeitherSuperuserNorOwnerNorExempt() async throws {
        try await TestDatabase.with { database in
            _ = try await seedTwoOrganizations(database)
            try await TestDatabase.withConnection(to: database.owner) { connection in
                let query: PostgresQuery = """
                    SELECT rolsuper, rolbypassrls,
                           (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public' AND c.relowner = r.oid)
                    FROM pg_roles r WHERE rolname = 'accord_app'
                    """
                for try await (superuser, bypass, owned) in try await connection.query(query, logger: testLogger).decode((Bool, Bool, Int).self) {
                    #expect(!superuser)
                    #expect(!bypass)
                    #expect(owned == 0)
                }
            }
        }
    }

    @Test func withOneDatabaseLoginRequestsStillRunAsTheApplicationRole() async throws {
        try await TestDatabase.with { database in
            let (acme, _) = try await seedTwoOrganizations(database)
            let configuration = ServerConfiguration(databaseURL: database.owner.url, bcryptCost: 4)
            let server = try await AccordServer.prepare(configuration, logger: testLogger)
            #expect(server.setup.assumesApplicationRole)
            let (role, teams) = try await server.withDatabase { _ in
                let database = Database(client: server.client, assumesApplicationRole: server.setup.assumesApplicationRole)
                return try await database.transaction(org: acme, logger: testLogger) { tx in
                    let role = try await tx.first("SELECT current_user::text", as: String.self)
                    let teams = try await tx.rows("SELECT name FROM teams", as: String.self)
                    return (role, teams)
                }
            }
            #expect(role == "accord_app")
            #expect(teams == ["Acme team"])
        }
    }

    /// Migrates and inserts two organizations with a member and a team each, as the owner.
    private func seedTwoOrganizations(_ database: TestDatabase) async throws -> (UUID, UUID) {
        try await Migrator(endpoint: database.owner, migrations: try Migration.bundled(), logger: testLogger).migrate()
        let (acme, globex, user) = (UUID(), UUID(), UUID())
        try await TestDatabase.withConnection(to: database.owner) { connection in
            try await connection.query("INSERT INTO users (id, email, name, password_hash) VALUES (\(user), 'u@example.com', 'U', 'x')", logger: testLogger)
            for (org, name) in [(acme, "Acme"), (globex, "Globex")] {
                try await connection.query("BEGIN", logger: testLogger)
                // The owner is subject to forced RLS too, so it names the tenant like everyone else.
                try await connection.query("SELECT set_config('accord.org_id', \(org.uuidString), true)", logger: testLogger)
                try await connection.query("INSERT INTO organizations (id, slug, name, created_by) VALUES (\(org), \(name.lowercased()), \(name), \(user))", logger: testLogger)
                try await connection.query("INSERT INTO memberships (org_id, user_id, role) VALUES (\(org), \(user), 'owner')", logger: testLogger)
                let team = UUID()
                try await connection.query("INSERT INTO teams (org_id, id, name) VALUES (\(org), \(team), \(name + " team"))", logger: testLogger)
                try await connection.query("INSERT INTO team_members (org_id, team_id, user_id) VALUES (\(org), \(team), \(user))", logger: testLogger)
                try await connection.query("COMMIT", logger: testLogger)
            }
        }
        return (acme, globex)
    }
}
