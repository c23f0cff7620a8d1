public import AccordCore
import Foundation
public import Hummingbird
import Logging
import PostgresNIO

/// The services the HTTP routes call; one instance per server.
public struct AccordAPI: Sendable {
    public typealias Context = AccordRequestContext

    let configuration: ServerConfiguration
    /// The collections this server syncs.
    public let catalog: Catalog
    let database: Database
    let accounts: AccountService
    let organizations: OrganizationService
    let memberships = MembershipService()
    let applier: MutationApplier
    let records: RecordService
    let governance: GovernanceService
    let importer: MeasurementImporter
    let directory: DirectoryRecords
    let syncLog: SyncLog
    let notifier: ChangeNotifier
    let heads: HeadCache
    let access: AccessCache
    let snapshotGate: SnapshotGate
    /// How many migrations this build ships; `/ready` waits until the database has them all.
    let knownMigrations: Int
    /// The web app's templates and static files.
    let web: WebRenderer

    init(
        configuration: ServerConfiguration, catalog: Catalog, database: Database, listener: PostgresConnection.Configuration, knownMigrations: Int,
        web: WebRenderer, logger: Logger
    ) {
        self.web = web
        self.configuration = configuration
        self.catalog = catalog
        let path = WritePath(catalog: catalog, now: configuration.clock)
        self.applier = MutationApplier(path: path)
        self.records = RecordService(path: path)
        self.governance = GovernanceService(records: records, now: configuration.clock)
        self.importer = MeasurementImporter(records: records, governance: governance, batchSize: configuration.importBatchSize)
        self.directory = DirectoryRecords(path: path)
        self.syncLog = SyncLog(catalog: catalog)
        let access = AccessCache()
        let heads = HeadCache()
        self.heads = heads
        self.access = access
        self.notifier = ChangeNotifier(
            connection: listener, database: database, access: access, heads: heads, limits: configuration.streamLimits, logger: logger
        )
        self.snapshotGate = SnapshotGate(capacity: configuration.concurrentSnapshots)
        self.database = database
        self.knownMigrations = knownMigrations
        self.accounts = AccountService(database: database, configuration: configuration, cache: access)
        self.organizations = OrganizationService(database: database, cache: access)
    }

    /// Every route, behind the error and limit middleware; the `/v1` routes other than signup and login need a token.
    public func buildRouter() -> Router<Context> {
        let router = Router(context: Context.self)
        let table = RouteTable()
        router.add(middleware: ErrorMiddleware<Context>(maxBodySize: configuration.maxBodySize, routes: table))
        router.add(middleware: RequestLimitsMiddleware(maxBodySize: configuration.maxBodySize, maxImportSize: configuration.maxImportSize))
        addHealthRoutes(to: router)
        let v1 = router.group("v1")
        addPublicAuthRoutes(to: v1)
        let authenticated = v1.add(middleware: AuthenticationMiddleware(accounts: accounts))
        addSessionRoutes(to: authenticated)
        addOrganizationRoutes(to: authenticated)
        addMemberRoutes(to: authenticated)
        addInvitationRoutes(to: authenticated)
        addTeamRoutes(to: authenticated)
        addSyncRoutes(to: authenticated)
        addRecordRoutes(to: authenticated)
        addGovernanceRoutes(to: authenticated)
        addKPIRoutes(to: authenticated)
        addStrategyRoutes(to: authenticated)
        addPortfolioRoutes(to: authenticated)
        addWebRoutes(to: router, table: table)
        table.learn(router.routes.map { ($0.path.description, $0.method) })
        return router
    }
}
