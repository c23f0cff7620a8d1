import AccordClient
import AccordCore
import Foundation
import Testing

/// The server and its PostgreSQL as real processes, killed with SIGKILL in the middle of pushes, and a proxy
/// that cuts or stalls connections, while several replicas edit. Nothing acknowledged may be lost or applied
/// twice, and every replica must end equal to the server with an empty outbox.
@Suite("Faults with real processes", .timeLimit(.minutes(8)))
struct FaultTests {
    enum Fault: CaseIterable {
        case cut, stall, killServer, killDatabase
    }

    @Test func killedProcessesAndCutConnectionsLoseNoEditAndApplyNoneTwice() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var server = try await RunningServer.start(in: workspace)
        let serverPort = server.port
        let proxy = try await CuttingProxy.start(to: serverPort)
        defer { proxy.close() }
        let direct = URL(string: server.url)!
        let token = try await ServerConnection(server: direct).login(email: "dana@northwind.example", password: "accord-demo-password").token
        let org = try #require(try await ServerConnection(server: direct, token: token).me().memberships.first { $0.organization.slug == "acme" }).organization.id
        let through = URL(string: "http://127.0.0.1:\(proxy.port)")!
        let editors = try (0..<3).map { try Editor(in: workspace, index: $0, server: through, token: token, org: org) }
        defer { editors.forEach { $0.close() } }

        for (round, fault) in (Fault.allCases + [.cut]).enumerated() {
            for editor in editors { try await editor.edit(round: round) }
            let serverProcess = server.process.processIdentifier
            let postmaster = try Self.postmasterPID(in: workspace)
            proxy.trap("/sync/push") {
                switch fault {
                case .cut: proxy.cutAll()
                case .stall:
                    proxy.stall(true)
                    // How long the network hangs, not a wait for anything to happen.
                    Task { try? await Task.sleep(for: .milliseconds(400)); proxy.stall(false) }
                case .killServer: kill(serverProcess, SIGKILL)
                case .killDatabase: kill(postmaster, SIGKILL)
                }
            }
            await withTaskGroup(of: Void.self) { group in
                // A round may fail part way; what it did not finish waits in the outboxes for the next.
                for editor in editors { group.addTask { _ = try? await editor.sync() } }
            }
            if fault == .killDatabase {
                let answer = await #expect(throws: ClientError.self) { try await ServerConnection(server: direct, token: token).members(of: "acme") }
                if case .server(let status, let code, _)? = answer {
                    #expect(status == 503 && code == "database_unavailable", "without its database the server says it is unavailable, not that it failed: \(status) \(code)")
                } else {
                    Issue.record("the server answered \(String(describing: answer)) without its database")
                }
            }
            if fault == .killServer || fault == .killDatabase {
                server = try await Self.restart(server, in: workspace, port: serverPort, databaseKilled: fault == .killDatabase)
            }
        }

        for editor in editors {
            for _ in 0..<5 where try editor.replica.pendingCount() > 0 { _ = try? await editor.sync() }
            #expect(try editor.replica.pendingCount() == 0, "editor \(editor.index)'s outbox emptied")
            #expect(try editor.replica.rejections().isEmpty)
        }
        for editor in editors { _ = try await editor.sync() }
        let reference = try Editor(in: workspace, index: 9, server: direct, token: token, org: org)
        defer { reference.close() }
        _ = try await reference.sync()
        let onServer = try reference.notes()
        for editor in editors {
            #expect(try await editor.notes() == onServer, "editor \(editor.index) equals the server")
            for (id, title) in editor.lastTitles {
                #expect(onServer[id] == title, "editor \(editor.index)'s last edit of \(id) is on the server")
            }
        }
        let changes = try await Self.changes(of: "notes", at: direct, token: token, org: org)
        for editor in editors {
            for (id, edits) in editor.edits {
                #expect(changes[id] == edits, "note \(id): \(edits) edits, each applied once")
            }
        }
        server.stop()
    }

    /// Every change of `collection` in the organization's log, counted per record.
    static func changes(of collection: String, at server: URL, token: String, org: UUID) async throws -> [UUID: Int] {
        let transport = HTTPSyncTransport(server: server, token: token, organization: org)
        var counts: [UUID: Int] = [:]
        var since: Int64 = 0
        while true {
            let page = try await transport.pull(since: since, limit: 1000, epoch: nil)
            for change in page.changes where change.collection == collection { counts[change.recordID, default: 0] += 1 }
            guard page.more else { return counts }
            since = page.next
        }
    }

    static func postmasterPID(in workspace: Workspace) throws -> pid_t {
        let files = FileManager.default.enumerator(at: workspace.directory, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.lastPathComponent == "postmaster.pid" else { continue }
            let first = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").first
            if let pid = first.flatMap({ pid_t($0) }) { return pid }
        }
        throw FaultSetupError("no postmaster.pid under \(workspace.directory.path)")
    }

    /// Starts the server again on its port. After the database was killed the server goes too, and the next
    /// one starts the cluster again once the killed cluster's last processes have gone.
    static func restart(_ server: RunningServer, in workspace: Workspace, port: Int, databaseKilled: Bool) async throws -> RunningServer {
        let pid = server.process.processIdentifier
        if databaseKilled { kill(pid, SIGKILL) }
        // Reaped here: a child killed with SIGKILL is not reliably reaped by Process, whose waitUntilExit would spin.
        for _ in 0..<200 {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno == ECHILD) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        if databaseKilled {
            let cluster = workspace.directory.path
            for _ in 0..<200 where Self.processesMentioning(cluster) > 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return try await RunningServer.start(in: workspace, port: port)
    }

    /// How many processes have `text` in their command line (the killed cluster's backends, while they last).
    static func processesMentioning(_ text: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.count { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }
}

struct FaultSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One replica that edits its own notes: it remembers what it wrote, to check against the server at the end.
final class Editor: @unchecked Sendable {
    let index: Int
    let replica: Replica
    let engine: SyncEngine
    /// Edits made per note: its create and its updates.
    private(set) var edits: [UUID: Int] = [:]
    private(set) var lastTitles: [UUID: String] = [:]

    init(in workspace: Workspace, index: Int, server: URL, token: String, org: UUID) throws {
        self.index = index
        replica = try Replica(at: workspace.directory.appendingPathComponent("editor-\(index).sqlite"), organization: org)
        var engine = SyncEngine(replica: replica, transport: HTTPSyncTransport(server: server, token: token, organization: org))
        engine.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200), attempts: 3)
        self.engine = engine
    }

    /// Two new notes and a change to an earlier one.
    func edit(round: Int) async throws {
        for item in 0..<2 {
            let title = "editor \(index), round \(round), note \(item)"
            let id = try await replica.create("notes", ["title": .text(title)]).id
            edits[id] = 1
            lastTitles[id] = title
        }
        if let earlier = edits.keys.sorted(by: { $0.uuidString < $1.uuidString }).first {
            let title = "editor \(index), changed in round \(round)"
            try await replica.update("notes", earlier, ["title": .text(title)])
            edits[earlier, default: 0] += 1
            lastTitles[earlier] = title
        }
    }

    func sync() async throws -> SyncSummary { try await engine.sync() }

    func notes() throws -> [UUID: String] {
        Dictionary(uniqueKeysWithValues: try replica.records("notes").compactMap { record in
            if case .text(let title)? = record.fields["title"] { (record.id, title) } else { nil }
        })
    }

    func close() { try? replica.close() }
}
