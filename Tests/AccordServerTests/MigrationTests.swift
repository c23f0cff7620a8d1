import NIOCore
import HTTPTypes
import Hummingbird
import AccordCore
import HummingbirdTesting
import AccordServer
import Foundation
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test func serverInstancesStartingAtOnceApplyEachMigrationExactlyOnce() async throws {
        try await TestDatabase.with { database in
            let bundled = try Migration.bundled().map(\.version)
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await AccordServer.prepare(database.configuration(), logger: testLogger).appliedMigrations }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == bundled, "each version applied by exactly one of the four instances")
            let recorded = try await TestDatabase.withConnection(to: database.owner) { connection in
                try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: testLogger)
                    .decode(Int.self).reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(recorded == bundled)
            let again = try await AccordServer.prepare(database.configuration(), logger: testLogger)
            #expect(again.appliedMigrations.isEmpty)
        }
    }

    @Test func aDatabaseWithAnUnknownMigrationIsRefused() async throws {
        try await TestDatabase.with { database in
            _ = try await AccordServer.prepare(database.configuration(), logger: testLogger)
            try await TestDatabase.run(on: database.owner, "INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')")
            let error = await #expect(throws: ConfigurationError.self) {
                _ = try await AccordServer.prepare(database.configuration(), logger: testLogger)
            }
            #expect(error?.description.contains("9999") == true)
        }
    }

    @Test func aFailingMigrationIsRolledBackWhole() async throws {
        try await TestDatabase.with { database in
            let broken = [
                Migration(version: 1, name: "half", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();"),
            ]
            let migrator = Migrator(endpoint: database.owner, migrations: broken, logger: testLogger)
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate() }
            #expect(error?.description.contains("no_such_function") == true)
            let tables = try await TestDatabase.withConnection(to: database.owner) { connection in
                try await connection.query("SELECT count(*)::int FROM pg_tables WHERE tablename = 'half_done'", logger: testLogger)
                    .decode(Int.self).reduce(0, +)
            }
            #expect(tables == 0)
        }
    }

    @Test func migrationFilesAreNumberedWithoutGaps() throws {
        let versions = try Migration.bundled().map(\.version)
        #expect(!versions.isEmpty)
        #expect(versions == Array(1...versions.count))
    }
}
