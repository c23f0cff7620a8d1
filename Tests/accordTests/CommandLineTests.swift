import AccordClient
import AccordCore
import Foundation
import Testing

/// Drives the built `accord` binary against a real `accord-server` on its embedded PostgreSQL.
@Suite("The accord command line", .serialized)
struct CommandLineTests {
    @Test func logsInListsOrganizationsAndKeepsTheTokenPrivate() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let server = try await RunningServer.start(in: workspace)
        defer { server.stop() }

        let home = workspace.directory.appendingPathComponent("home-a")
        let login = try await Accord.run(["login", server.url, "--email", "dana@northwind.example"], home: home, input: "accord-demo-password\n")
        #expect(login.status == 0, "\(login.standardError)")
        #expect(login.standardOutput.contains("Logged in"))

        let credentials = try #require(try AccordHome(directory: home).credentials.load())
        let mode = try FileManager.default.attributesOfItem(atPath: AccordHome(directory: home).credentials.file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        let whoami = try await Accord.run(["whoami", "--json"], home: home)
        #expect(whoami.status == 0)
        #expect(whoami.standardOutput.contains("\"email\" : \"dana@northwind.example\""))

        let orgs = try await Accord.run(["orgs", "--json"], home: home)
        let slugs = try JSONDecoder().decode([[String: AnyDecodable]].self, from: Data(orgs.standardOutput.utf8)).count
        #expect(slugs == 3)
        let table = try await Accord.run(["orgs"], home: home)
        #expect(table.standardOutput.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(table.standardOutput.contains("acme") && table.standardOutput.contains("globex"))

        let serverLog = try String(contentsOf: server.log, encoding: .utf8)
        #expect(!serverLog.contains(credentials.token), "the token never reaches the server's log")

        let logout = try await Accord.run(["logout"], home: home)
        #expect(logout.status == 0)
        #expect(try AccordHome(directory: home).credentials.load() == nil)
    }

    @Test func errorsAreOneLineWithWhatToDoAndTheRightExitCode() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let home = workspace.directory.appendingPathComponent("home-b")

        let loggedOut = try await Accord.run(["whoami"], home: home)
        #expect(loggedOut.status == 1)
        #expect(loggedOut.standardError == "accord: not logged in: run accord login <server-url>\n")

        try AccordHome(directory: home).credentials.save(Credentials(server: URL(string: "http://127.0.0.1:1")!, email: "a@example.com", token: "acc_x", userID: nil))
        let unreachable = try await Accord.run(["orgs"], home: home)
        #expect(unreachable.status == 3)
        #expect(unreachable.standardError.hasPrefix("accord: server unreachable at http://127.0.0.1:1"))
        #expect(!unreachable.standardError.contains("Fatal"))

        let badURL = try await Accord.run(["login", "not a url"], home: home)
        #expect(badURL.status != 0)
        #expect(badURL.standardError.contains("is not a server address"))

        // Plain http to another machine would carry the password in clear.
        let clear = try await Accord.run(["login", "http://accord.example.com:8080", "--email", "a@example.com"], home: home, input: "a password\n")
        #expect(clear.status == 2 && clear.standardError.contains("use https://accord.example.com:8080, or add --insecure"), "\(clear.standardError)")

    }
}

extension CommandLineTests {
    @Test func aChangeTheServerWillRefuseIsQueuedWithAWarningThatSaysWhy() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let home = workspace.directory.appendingPathComponent("home-viewer")
        let accordHome = AccordHome(directory: home)
        try accordHome.credentials.save(Credentials(server: URL(string: "http://127.0.0.1:1")!, email: "v@example.com", token: "acc_x", userID: UUID()))
        let acme = KnownOrganization(id: UUID(), slug: "acme", name: "Acme", role: .viewer)
        try accordHome.saveConfig(ClientConfig(defaultOrganization: acme.id, organizations: [acme]))

        let queued = try await Accord.run(["records", "notes", "new", "title=written at the booth"], home: home)
        #expect(queued.status == 0, "\(queued.standardError)")
        #expect(queued.standardOutput.contains("queued, 1 change waiting to sync"))
        #expect(queued.standardError.hasPrefix("accord: warning: the server will probably refuse this change (forbidden): Your role is viewer"))
        #expect(queued.standardError.contains("ask an owner or admin"))

        let refused = try await Accord.run(["records", "conflicts", "new", "status=open"], home: home)
        #expect(refused.status == 1 && refused.standardError.contains("created by the server"), "a change no server takes is not queued")
    }
}

/// Decodes any JSON value, for counting entries without naming their type.
struct AnyDecodable: Decodable {
    init(from decoder: any Decoder) throws {}
}
