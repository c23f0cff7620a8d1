import AccordClient
import AccordCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The consultancy's command-line suites, one at a time: each starts a server with its own PostgreSQL and
/// the demo, and together they would load a small machine enough to starve the timing of other suites.
@Suite(.serialized) enum ConsultancyCommandLineTests {}

extension ConsultancyCommandLineTests {
    @Suite("A consultant's portfolio with the accord command line", .serialized)
    struct PortfolioCommandLineTests {
        @Test func everySyncedOrganizationOnOneScreenOfflineAndTheSameAsTheServers() async throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let server = try await RunningServer.start(in: workspace)
            defer { server.stop() }
            let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
            #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
            for org in ["acme", "globex"] { #expect(try await dana.run("sync", "--org", org).status == 0) }
            let token = try await ConsultancyCommandLineTests.SetupFilesCommandLineTests.demoToken(server.url)
            var request = URLRequest(url: URL(string: server.url + "/v1/me/portfolio")!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let fromServer = try SyncCoding.decoder().decode([PortfolioEntry].self, from: try await URLSession.shared.data(for: request).0)
            server.stop()

            let local = try await dana.json([PortfolioEntry].self, "portfolio")
            #expect(local.map(\.slug) == ["acme", "globex"], "the synced organizations, offline")
            #expect(local.allSatisfy { $0.syncedAt != nil })
            let encoder = SyncCoding.encoder()
            for entry in local {
                let served = try #require(fromServer.first { $0.id == entry.id })
                #expect(String(decoding: try encoder.encode(entry.standing), as: UTF8.self) == String(decoding: try encoder.encode(served.standing), as: UTF8.self),
                        "\(entry.slug): the replica and the server agree")
            }
            #expect(fromServer.map(\.slug) == ["acme", "globex", "northwind"])
            #expect(local[0].standing.offTrack > 0, "the demo has KPIs off track in acme")
            #expect(local[0].standing.proposals == ["MQL"], "the demo's MQL proposal waits for its decision")
            // The demo's pack: version 1 taken, where acme pointed MQLs at its own HubSpot; version 2 changed SQL and
            // added SAL since. The server reads the pack in northwind; offline, northwind is not synced here.
            let pack = try #require(fromServer.first?.packs.first)
            #expect(pack.pack == "Revenue standard" && pack.sourceOrg == "northwind" && pack.versions == [1] && pack.latest == 2)
            #expect(pack.clientChanged == 1 && pack.packChanged == 1 && pack.newInPack == 1 && pack.matches == 3 && pack.conflicts == 0, "\(pack)")
            #expect(local[0].packs.first?.versions == [1] && local[0].packs.first?.latest == nil)

            let shown = try await Accord.runOnTerminal(["portfolio"], home: dana.home, columns: 80)
            #expect(shown.status == 0, "\(shown.standardError)")
            let lines = shown.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.allSatisfy { $0.count <= 80 }, "\(shown.standardOutput)")
            #expect(lines.first?.hasPrefix("ORG") == true)
            #expect(shown.standardOutput.contains("Acme Robotics (acme)"))
            #expect(shown.standardOutput.contains("✖ off track"))
            #expect(shown.standardOutput.contains("Not synced here yet: northwind"))
            #expect(shown.standardOutput.contains("pack Revenue standard: version 1 (northwind not synced"), "\(shown.standardOutput)")
        }
    }
}
