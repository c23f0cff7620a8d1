import NIOCore
import HTTPTypes
import Hummingbird
import AccordCore
import HummingbirdTesting
import AccordServer
import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// A new, empty database on the throwaway cluster that `scripts/test` starts, dropped after the test.
struct TestDatabase: Sendable {
    /// The cluster's superuser; the owner role of each test database.
    static var clusterURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["ACCORD_TEST_DATABASE_URL"] else {
                throw ConfigurationError("ACCORD_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts PostgreSQL")
            }
            return url
        }
    }

    let name: String
    let owner: DatabaseEndpoint

    /// The application role on the same database; the cluster trusts local connections.
    var application: DatabaseEndpoint { owner.asUser("accord_app", password: nil) }

    static func create() async throws -> TestDatabase {
        let cluster = try DatabaseEndpoint(url: try clusterURL)
        let name = "accord_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await run(on: cluster, "CREATE DATABASE \(name)")
        return TestDatabase(name: name, owner: cluster.inDatabase(name))
    }

    func drop() async throws {
        let cluster = try DatabaseEndpoint(url: try Self.clusterURL)
        try await Self.run(on: cluster, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `body` with a fresh database and drops it afterwards, whether `body` succeeds or not.
    static func with<Result>(_ body: (TestDatabase) async throws -> Result) async throws -> Result {
        let database = try await create()
        do {
            let result = try await body(database)
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    /// A server configuration for this database, with cheap bcrypt so tests stay fast.
    func configuration(loginLimits: LoginLimits = LoginLimits(), maxBodySize: Int = 8 << 20) -> ServerConfiguration {
        var configuration = ServerConfiguration(
            databaseURL: owner.url, applicationDatabaseURL: application.url, bcryptCost: 4, loginLimits: loginLimits
        ).with(maxBodySize: maxBodySize)
        // The whole suite runs at once on a small machine, where a lock may wait far longer than in service;
        // tests of the timeouts set their own.
        configuration.databaseTimeouts = DatabaseTimeouts(statement: .seconds(120), lock: .seconds(90), idleInTransaction: .seconds(120))
        return configuration
    }

    /// Every row of every table, as text, sorted: a dump to compare before and after something that must change
    /// nothing. Read as the cluster's superuser, so row-level security hides nothing from it.
    func dump(excluding excluded: Set<String> = []) async throws -> [String: [String]] {
        try await Self.withConnection(to: owner) { connection in
            var tables: [String] = []
            for try await table in try await connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", logger: testLogger
            ).decode(String.self) where !excluded.contains(table) {
                tables.append(table)
            }
            var dump: [String: [String]] = [:]
            for table in tables {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT t::text FROM \"\(table)\" t ORDER BY 1"), logger: testLogger)
                var lines: [String] = []
                for try await line in rows.decode(String.self) { lines.append(line) }
                dump[table] = lines
            }
            return dump
        }
    }

    static func run(on endpoint: DatabaseEndpoint, _ sql: String) async throws {
        try await withConnection(to: endpoint) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger)
        }
    }

    @discardableResult
    static func withConnection<Result>(to endpoint: DatabaseEndpoint, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: endpoint.testConnectionConfiguration, id: 1, logger: testLogger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "accord.test")
    logger.logLevel = ProcessInfo.processInfo.environment["ACCORD_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    return logger
}()

extension ServerConfiguration {
    func with(maxBodySize: Int) -> ServerConfiguration {
        var copy = self
        copy.maxBodySize = maxBodySize
        return copy
    }
}

extension DatabaseEndpoint {
    /// The URL form that `ServerConfiguration` reads.
    var url: String {
        switch address {
        case .tcp(let host, let port, _): "postgres://\(username)@\(host):\(port)/\(database)"
        case .socket(let path):
            "postgres://\(username)@localhost/\(database)?host=\((path as NSString).deletingLastPathComponent)"
        }
    }

    var testConnectionConfiguration: PostgresConnection.Configuration {
        switch address {
        case .tcp(let host, let port, _):
            PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: .disable)
        case .socket(let path):
            .init(unixSocketPath: path, username: username, password: password, database: database)
        }
    }
}
