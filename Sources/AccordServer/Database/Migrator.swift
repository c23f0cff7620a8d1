public import AccordCore
import Foundation
public import Logging
import NIOPosix
import PostgresNIO

/// Applies the migrations a database has not seen yet, in order, each in its own transaction, then makes each
/// collection's table match its declaration (`CollectionTableMigration`) in one more transaction.
///
/// A session advisory lock serializes server instances that start at once: the second waits, then finds
/// everything applied. A database that has a migration this build does not know is refused, because the
/// code would run against a schema it was not written for.
public struct Migrator: Sendable {
    /// An arbitrary constant that names Accord's migration lock among the database's advisory locks.
    static let lockKey: Int64 = 0x6163_636f_7264

    public let endpoint: DatabaseEndpoint
    public let migrations: [Migration]
    public let catalog: Catalog
    public let logger: Logger

    public init(endpoint: DatabaseEndpoint, migrations: [Migration], catalog: Catalog = .builtIn, logger: Logger) {
        self.endpoint = endpoint
        self.migrations = migrations
        self.catalog = catalog
        self.logger = logger
    }

    /// Returns the versions this call applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: endpoint.connectionConfiguration,
            id: 0,
            logger: logger
        )
        do {
            let applied = try await migrate(on: connection)
            try await connection.close()
            return applied
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The organizations whose `members` collection has no records yet: those made before the server kept
    /// the directory as synced collections, which `AccordAPI.backfillDirectories` fills in. Read as the owner,
    /// which sees every organization.
    func organizationsMissingDirectory() async throws -> [UUID] {
        guard catalog.named(CollectionSchema.members.name) != nil else { return [] }
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: endpoint.connectionConfiguration, id: 0, logger: logger
        )
        do {
            var missing: [UUID] = []
            let rows = try await connection.query(
                "SELECT o.id FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.org_id = o.id) ORDER BY o.id", logger: logger
            )
            for try await id in rows.decode(UUID.self) { missing.append(id) }
            try await connection.close()
            return missing
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func migrate(on connection: PostgresConnection) async throws -> [Int] {
        // Held until the connection closes, which `migrate()` always does. Taken before creating the
        // bookkeeping table, because concurrent CREATE TABLE IF NOT EXISTS can still collide.
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """,
            logger: logger
        )

        var known: Set<Int> = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            known.insert(version)
        }
        let unknown = known.subtracting(migrations.map(\.version)).sorted()
        if !unknown.isEmpty {
            throw ConfigurationError(
                "the database has migration \(unknown.map(String.init).joined(separator: ", ")) that this server does not know; "
                    + "it was upgraded by a newer Accord. Run that version or newer."
            )
        }
        var applied: [Int] = []
        for migration in migrations where !known.contains(migration.version) {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError(migration: migration, underlying: error)
            }
            applied.append(migration.version)
        }
        try await connection.query("BEGIN", logger: logger)
        do {
            let changes = try await CollectionTableMigration(catalog: catalog, logger: logger).run(on: connection)
            try await connection.query("COMMIT", logger: logger)
            for change in changes { logger.info("collection table", metadata: ["change": "\(change)"]) }
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        return applied
    }
}

/// A migration that PostgreSQL refused; nothing of it was applied.
public struct MigrationError: Error, CustomStringConvertible {
    public let migration: Migration
    public let underlying: any Error

    public var description: String {
        let reason = (underlying as? PSQLError)?.serverInfo?[.message] ?? "\(underlying)"
        return "migration \(migration.version) (\(migration.name)) failed and was rolled back: \(reason)"
    }
}
