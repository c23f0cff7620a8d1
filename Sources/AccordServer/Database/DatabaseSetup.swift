import Foundation
public import Logging

/// The two roles' endpoints, from the configuration or from the embedded cluster.
public struct DatabaseSetup: Sendable {
    /// Runs migrations.
    public let owner: DatabaseEndpoint
    /// Serves requests.
    public let application: DatabaseEndpoint
    /// True when the application endpoint is the owner's login, which then switches role per transaction.
    public let assumesApplicationRole: Bool
    /// The private cluster, when no database URL was configured.
    public let embedded: EmbeddedPostgres?

    /// Reads the URLs, or starts the embedded cluster when there are none.
    public static func resolve(_ configuration: ServerConfiguration, logger: Logger) throws -> DatabaseSetup {
        guard let databaseURL = configuration.databaseURL else {
            let cluster = try EmbeddedPostgres(dataDirectory: configuration.dataDirectory.appendingPathComponent("postgres"), logger: logger)
            try cluster.start()
            return DatabaseSetup(owner: cluster.ownerEndpoint, application: cluster.applicationEndpoint, assumesApplicationRole: false, embedded: cluster)
        }
        let owner = try DatabaseEndpoint(url: databaseURL)
        if let applicationURL = configuration.applicationDatabaseURL {
            return DatabaseSetup(owner: owner, application: try DatabaseEndpoint(url: applicationURL), assumesApplicationRole: false, embedded: nil)
        }
        return DatabaseSetup(owner: owner, application: owner, assumesApplicationRole: true, embedded: nil)
    }
}
