public import AccordCore
public import Hummingbird
public import Logging
import Foundation
import HummingbirdCore
import NIOCore
public import PostgresNIO
import ServiceLifecycle

/// A server ready to run: database set up and migrated, services built, nothing listening yet.
public struct AccordServer: Sendable {
    public let configuration: ServerConfiguration
    public let setup: DatabaseSetup
    public let client: PostgresClient
    public let api: AccordAPI
    public let logger: Logger
    /// The migration versions this start applied; empty when the database was already current.
    public let appliedMigrations: [Int]
    /// Organizations made before the server kept members and teams as synced collections; filled in at start.
    let missingDirectory: [UUID]

    /// Starts the embedded cluster when configured so, and applies pending migrations.
    /// `catalog` is what the server syncs; the migrator makes each collection's table match its declaration.
    public static func prepare(_ configuration: ServerConfiguration, catalog: Catalog = .builtIn, logger: Logger) async throws -> AccordServer {
        let web = try WebRenderer.load()
        let setup = try DatabaseSetup.resolve(configuration, logger: logger)
        let migrations: [Migration]
        let applied: [Int]
        let missingDirectory: [UUID]
        do {
            migrations = try Migration.bundled()
            let migrator = Migrator(endpoint: setup.owner, migrations: migrations, catalog: catalog, logger: logger)
            applied = try await migrator.migrate()
            missingDirectory = try await migrator.organizationsMissingDirectory()
        } catch {
            setup.embedded?.stop()
            throw error
        }
        let client = PostgresClient(configuration: setup.application.clientConfiguration, backgroundLogger: logger)
        let database = Database(client: client, assumesApplicationRole: setup.assumesApplicationRole, timeouts: configuration.databaseTimeouts)
        return AccordServer(
            configuration: configuration, setup: setup, client: client,
            api: AccordAPI(
                configuration: configuration, catalog: catalog, database: database, listener: setup.application.connectionConfiguration,
                knownMigrations: migrations.count, web: web, logger: logger
            ),
            logger: logger, appliedMigrations: applied, missingDirectory: missingDirectory
        )
    }

    /// The HTTP application with its services; `beforeStart` runs once the database pool is up.
    public func application(
        beforeStart: @escaping @Sendable () async throws -> Void = {},
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let (notifier, access, heads, idleTimeout, logger) = (api.notifier, api.access, api.heads, configuration.idleTimeout, logger)
        // The idle timeout is kept ahead of the stream handler, where it sees every request and every response
        // part, the streams' included: Hummingbird's own would see a stream's connection as idle and close it.
        let handlers: @Sendable () -> [any RemovableChannelHandler] = {
            [HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger), EventStreamHandler(notifier: notifier, access: access, heads: heads)]
        }
        var application = Application(
            router: api.buildRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: handlers())),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Accord"),
            onServerRunning: { channel in
                await onListening("http://\(configuration.host):\(channel.localAddress?.port ?? configuration.port)")
            },
            logger: logger
        )
        if let embedded = setup.embedded {
            application.addServices(EmbeddedPostgresService(cluster: embedded))
        }
        application.addServices(client, api.notifier)
        application.beforeServerStarts { [api, missingDirectory, logger] in
            try await api.backfillDirectories(missingDirectory, logger: logger)
            try await beforeStart()
        }
        return application
    }

    /// Runs `body` with the database pool up but no HTTP server, for admin commands; stops everything after.
    public func withDatabase<Result: Sendable>(_ body: @Sendable (AccordAPI) async throws -> Result) async throws -> Result {
        defer { setup.embedded?.stop() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(api)
        }
    }
}
