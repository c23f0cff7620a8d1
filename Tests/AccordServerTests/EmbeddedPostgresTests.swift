import NIOCore
import HTTPTypes
import Hummingbird
import AccordCore
import HummingbirdTesting
import AccordServer
import Foundation
import PostgresNIO
import Testing

@Suite("The embedded PostgreSQL cluster")
struct EmbeddedPostgresTests {
    @Test func createsStartsStopsAndReusesAPrivateCluster() async throws {
        let directory = URL(fileURLWithPath: "/tmp/accord-embedded-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = ServerConfiguration(dataDirectory: directory, bcryptCost: 4)

        let first = try await AccordServer.prepare(configuration, logger: testLogger)
        let cluster = try #require(first.setup.embedded)
        #expect(first.appliedMigrations == (try Migration.bundled().map(\.version)))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("postgres/PG_VERSION").path))
        let user = try await first.withDatabase { api in
            try await api.createUser(email: "kept@example.com", name: "Kept", password: "a long enough password")
        }
        #expect(!cluster.isRunning, "the cluster stops with the server")

        let second = try await AccordServer.prepare(configuration, logger: testLogger)
        #expect(second.appliedMigrations.isEmpty, "the same cluster is reused, already migrated")
        let result = try await second.withDatabase { api in
            let again = await #expect(throws: APIError.self) {
                try await api.createUser(email: user.email, name: "Again", password: "a long enough password")
            }
            #expect(again?.code == "email_taken", "the first run's user survived the restart")
            return try await api.bootstrap(email: "first@example.com", name: nil, password: nil, organization: "Acme Robotics", slug: nil)
        }
        #expect(result.organization.slug == "acme-robotics")
        #expect(result.token.hasPrefix("acc_"))
        #expect(!cluster.isRunning)
    }

    /// Root's home directory is the usual place on a fresh machine, and the `postgres` account cannot enter it.
    @Test(.enabled(if: getuid() == 0, "only root hands the cluster to the postgres account"))
    func asRootInAPrivateHomeTheClusterMovesWhereThePostgresAccountCanReachIt() async throws {
        let home = URL(fileURLWithPath: "/tmp/accord-private-home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let configuration = ServerConfiguration(dataDirectory: home.appendingPathComponent(".accord"), bcryptCost: 4)
        let first = try await AccordServer.prepare(configuration, logger: testLogger)
        let cluster = try #require(first.setup.embedded)
        defer {
            try? FileManager.default.removeItem(at: home)
            try? FileManager.default.removeItem(at: cluster.dataDirectory.deletingLastPathComponent())
        }
        #expect(cluster.dataDirectory.path.hasPrefix("/var/lib/accord/clusters/"), "\(cluster.dataDirectory.path)")
        #expect(FileManager.default.fileExists(atPath: cluster.dataDirectory.appendingPathComponent("PG_VERSION").path))
        try await first.withDatabase { _ in }

        let second = try await AccordServer.prepare(configuration, logger: testLogger)
        #expect(second.setup.embedded?.dataDirectory.path == cluster.dataDirectory.path, "a later start finds the same cluster")
        #expect(second.appliedMigrations.isEmpty)
        try await second.withDatabase { _ in }
    }
}
