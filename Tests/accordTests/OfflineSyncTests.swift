import AccordClient
import AccordCore
import Foundation
import Testing

/// One `accord` user: a home of their own, and the commands they run.
struct Person {
    let home: URL

    @discardableResult
    func run(_ arguments: String..., input: String = "") async throws -> Completed {
        try await Accord.run(arguments, home: home, input: input)
    }

    func json<T: Decodable>(_ type: T.Type, _ arguments: String...) async throws -> T {
        let result = try await Accord.run(arguments + ["--json"], home: home)
        #expect(result.status == 0, "\(arguments): \(result.standardError)")
        return try SyncCoding.decoder().decode(T.self, from: Data(result.standardOutput.utf8))
    }

    func notes() async throws -> [[String: FieldValue]] {
        try await json([[String: FieldValue]].self, "records", "notes").sorted { $0["id"]?.description ?? "" < $1["id"]?.description ?? "" }
    }
}

@Suite("Offline work and sync with the accord command line", .serialized)
struct OfflineSyncTests {
    @Test func twoPeopleEditOfflineThenSyncMergeAndResolveConflicts() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        let marco = Person(home: workspace.directory.appendingPathComponent("marco"))
        #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
        #expect(try await marco.run("signup", server.url, "--email", "lena@field.example", input: "marco's long password\n").status == 0)
        #expect(try await dana.run("members", "add", "lena@field.example", "--role", "editor", "--org", "acme").status == 0)
        #expect(try await marco.run("invitations", "accept", "acme").status == 0)
        let danaToken = try #require(try AccordHome(directory: dana.home).credentials.load()).token
        for person in [dana, marco] {
            #expect(try await person.run("use", "acme").status == 0)
            #expect(try await person.run("sync").status == 0)
        }

        let created = try await dana.json([String: FieldValue].self, "records", "notes", "new", "title=Q3 dip", "body=trade show cancelled")
        let other = try await dana.json([String: FieldValue].self, "records", "notes", "new", "title=Pipeline", "body=coverage 3x")
        let first = try #require(created["id"]?.description), second = try #require(other["id"]?.description)
        #expect(try await dana.run("sync").standardOutput.contains("2 pushed"))
        #expect(try await marco.run("sync").standardOutput.contains("2 pulled"))

        // The server goes away; both keep working.
        server.stop()
        let offlineEdit = try await dana.run("records", "notes", "set", String(first.prefix(8)), "body=moved to Q4", "title=Q3 dip (Dana)")
        #expect(offlineEdit.status == 0)
        #expect(offlineEdit.standardOutput.contains("queued, 1 change waiting to sync"))
        try await dana.run("records", "notes", "set", second, "body=coverage 2.5x")
        try await Task.sleep(for: .milliseconds(20))
        try await marco.run("records", "notes", "set", first, "body=budget cut", "title=Q3 dip (Marco)", "pinned=true")
        try await marco.run("records", "notes", "set", second, "body=coverage 4x")
        let unreachable = try await dana.run("sync")
        #expect(unreachable.status == 3)
        #expect(unreachable.standardError.contains("your changes are saved locally and will sync later (2 waiting)"))
        #expect(try await marco.json(StatusOutput.self, "status").status.pending == 2)

        server = try await RunningServer.start(in: workspace, port: server.port)
        let danaSync = try await dana.run("sync")
        #expect(danaSync.status == 0, "\(danaSync.standardError)")
        #expect(danaSync.standardOutput.contains("2 pushed, 0 merged, 0 conflicts, 0 rejected"))
        let marcoSync = try await marco.run("sync")
        #expect(marcoSync.status == 4, "review fields conflicted: \(marcoSync.standardOutput)")
        #expect(marcoSync.standardOutput.contains("2 pushed, 0 merged, 2 conflicts, 0 rejected"))
        #expect(marcoSync.standardOutput.contains("2 open conflicts: run accord conflicts"))
        #expect(try await marco.run("status").standardOutput.contains("conflicts:   2 open (oldest just now)"))
        let listing = try await marco.run("conflicts").standardOutput.split(separator: "\n")
        #expect(listing.count == 4 && listing.dropFirst().prefix(2).allSatisfy { $0.contains("just now") }, "\(listing)")
        #expect(listing.allSatisfy { $0.count <= 80 })
        #expect(try await dana.run("sync").status == 4, "Dana sees the conflicts too")

        let conflicts = try await dana.json([Conflict].self, "conflicts")
        #expect(try await marco.json([Conflict].self, "conflicts") == conflicts)
        #expect(Set(conflicts.map(\.field)) == ["body"])
        let onFirst = try #require(conflicts.first { $0.recordID.uuidString.lowercased() == first })
        let onSecond = try #require(conflicts.first { $0.recordID.uuidString.lowercased() == second })
        #expect(onFirst.base == "\"trade show cancelled\"" && onFirst.theirs == "\"moved to Q4\"" && onFirst.mine == "\"budget cut\"")
        let shown = try await dana.run("conflicts", "show", String(onFirst.id.uuidString.lowercased().prefix(8)))
        #expect(shown.standardOutput.contains("BASE") && shown.standardOutput.contains("budget cut"))
        #expect(shown.standardOutput.split(separator: "\n").allSatisfy { $0.count <= 80 })

        // Each side resolves one.
        #expect(try await dana.run("resolve", onFirst.id.uuidString, "--value", "moved to Q4, budget cut").status == 0)
        #expect(try await marco.run("resolve", String(onSecond.id.uuidString.prefix(8)), "--mine").status == 0)
        #expect(try await dana.run("sync").status == 4, "Marco's resolution has not arrived yet")
        #expect(try await marco.run("sync").status == 0)
        #expect(try await dana.run("sync").status == 0)

        let danaNotes = try await dana.notes()
        #expect(danaNotes == (try await marco.notes()))
        let byID = Dictionary(uniqueKeysWithValues: danaNotes.map { ($0["id"]!.description, $0) })
        #expect(byID[first]?["title"] == .text("Q3 dip (Marco)"), "lww: the later title wins")
        #expect(byID[first]?["pinned"] == .bool(true), "different fields merge")
        let history = try await dana.run("records", "notes", "history", String(first.prefix(8)))
        #expect(history.status == 0, "\(history.standardError)")
        #expect(history.standardOutput.contains("created: body: trade show cancelled") && history.standardOutput.contains("body: trade show cancelled → moved to Q4"),
                "\(history.standardOutput.debugDescription)")
        #expect(history.standardOutput.split(separator: "\n").allSatisfy { $0.count <= 80 })
        let logged = try await dana.json(RecordHistory.self, "records", "notes", "history", first)
        #expect(logged.changes.first?.operation == .create && logged.changes.count >= 3)
        #expect(byID[first]?["body"] == .text("moved to Q4, budget cut"))
        #expect(byID[second]?["body"] == .text("coverage 4x"))
        for person in [dana, marco] {
            let doctor = try await person.run("doctor")
            #expect(doctor.status == 0, "\(doctor.standardOutput)")
            #expect(doctor.standardOutput.contains("equal to the server (checksums match)"))
        }
        let onServer = try await serverNotes(server, token: danaToken)
        #expect(danaNotes.count == onServer.count)
        for note in danaNotes {
            let id = try #require(note["id"].flatMap { UUID(uuidString: $0.description) })
            #expect(note.filter { $0.key != "id" } == onServer[id], "the replica equals the server")
        }
    }

    @Test func aRemovedMemberSyncsAndLosesTheReplica() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        let marco = Person(home: workspace.directory.appendingPathComponent("marco"))
        try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n")
        try await marco.run("signup", server.url, "--email", "lena@field.example", input: "marco's long password\n")
        let connection = ServerConnection(server: URL(string: server.url)!, token: try #require(try AccordHome(directory: dana.home).credentials.load()).token)
        try await dana.run("members", "add", "lena@field.example", "--role", "editor", "--org", "acme")
        let invited = try await marco.run("invitations")
        #expect(invited.standardOutput.contains("acme") && invited.standardOutput.contains("editor"), "\(invited.standardOutput)")
        #expect(try await marco.run("invitations", "accept", "acme").standardOutput == "You joined acme as editor.\naccord use acme makes it the default; accord sync --org acme fetches it.\n")
        let marcoID = try #require(try AccordHome(directory: marco.home).credentials.load()?.userID)
        try await marco.run("use", "acme")
        #expect(try await marco.run("sync").status == 0)
        let config = try AccordHome(directory: marco.home).loadConfig()
        let replica = AccordHome(directory: marco.home).replicaFile(for: try config.organization("acme").id)
        #expect(FileManager.default.fileExists(atPath: replica.path))

        try await connection.removeMember(marcoID, from: "acme")
        let sync = try await marco.run("sync")
        #expect(sync.status == 1)
        #expect(sync.standardError == "accord: you no longer have access to acme; its local replica was removed\n")
        #expect(!FileManager.default.fileExists(atPath: replica.path))
        #expect(try await marco.run("status").standardError.contains("run accord use <org>"))

        // Removed again while holding a change that never synced: the change is kept aside, and doctor says where.
        try await dana.run("members", "add", "lena@field.example", "--role", "editor", "--org", "acme")
        try await marco.run("invitations", "accept", "acme")
        try await marco.run("use", "acme")
        #expect(try await marco.run("sync").status == 0)
        try await marco.run("records", "notes", "new", "title=written at the booth")
        try await connection.removeMember(marcoID, from: "acme")
        let lost = try await marco.run("sync")
        #expect(lost.status == 1)
        let kept = try #require(AccordHome(directory: marco.home).setAsideReplicas().first)
        #expect(lost.standardError == "accord: you no longer have access to acme; its local replica was removed; its unsynced change was kept in \(kept.path)\n")
        let doctor = try await marco.run("doctor").standardOutput
        #expect(doctor.contains("ok   set aside: unsynced changes of an organization you lost are kept in"))
        #expect(doctor.split(separator: "\n").contains { $0.contains(kept.path) }, "the whole path on one line, never cut")
        #expect(doctor.split(separator: "\n").filter { !$0.contains(kept.path) }.allSatisfy { $0.count <= 80 }, "\(doctor)")
    }

    @Test func theTokenStaysInTheCredentialsFileOnly() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        var outputs = [try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n")]
        let credentials = AccordHome(directory: dana.home).credentials
        let token = try #require(try credentials.load()).token
        let mode = try FileManager.default.attributesOfItem(atPath: credentials.file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        outputs.append(try await dana.run("use", "acme"))
        outputs.append(try await dana.run("records", "notes", "new", "title=watch me"))

        // A live `accord sync --watch`: its command line and environment carry no token.
        let watch = Process()
        watch.executableURL = productsDirectory.appendingPathComponent("accord")
        watch.arguments = ["sync", "--watch"]
        watch.environment = ProcessInfo.processInfo.environment.merging(["ACCORD_HOME": dana.home.path]) { $1 }
        let watchOutput = Pipe()
        watch.standardOutput = watchOutput
        watch.standardError = watchOutput
        try watch.run()
        defer { if watch.isRunning { watch.terminate() } }
        var pushed = false
        for _ in 0..<100 where !pushed {
            try await Task.sleep(for: .milliseconds(100))
            pushed = (try? await dana.json(StatusOutput.self, "status").status.pending) == 0
        }
        #expect(pushed, "the watcher pushed the queued note")
        let commandLine = try String(contentsOfFile: "/proc/\(watch.processIdentifier)/cmdline", encoding: .utf8)
        let environment = try String(contentsOfFile: "/proc/\(watch.processIdentifier)/environ", encoding: .utf8)
        #expect(!commandLine.contains(token) && !environment.contains(token))
        watch.terminate()
        watch.waitUntilExit()
        let watched = String(decoding: watchOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        outputs.append(try await dana.run("sync"))
        outputs.append(try await dana.run("status", "--json"))
        outputs.append(try await dana.run("doctor", "--json"))
        for output in outputs {
            #expect(!output.standardOutput.contains(token) && !output.standardError.contains(token))
        }
        #expect(!watched.contains(token))
        for log in try FileManager.default.contentsOfDirectory(atPath: workspace.directory.path) where log.hasSuffix(".log") {
            #expect(!(try String(contentsOfFile: workspace.directory.appendingPathComponent(log).path, encoding: .utf8)).contains(token))
        }
        let config = try String(contentsOf: AccordHome(directory: dana.home).configFile, encoding: .utf8)
        #expect(!config.contains(token))
    }

    /// The server's notes, from a snapshot.
    private func serverNotes(_ server: RunningServer, token: String) async throws -> [UUID: RecordFields] {
        let me = try await ServerConnection(server: URL(string: server.url)!, token: token).me()
        let acme = try #require(me.memberships.first { $0.organization.slug == "acme" })
        let box = NotesBox()
        try await HTTPSyncTransport(server: URL(string: server.url)!, token: token, organization: acme.organization.id).snapshot { line in
            if case .record(let record) = line, record.collection == "notes" { box.add(record) }
        }
        return box.notes
    }
}

struct StatusOutput: Decodable {
    var organization: String
    var status: SyncStatus
}

private final class NotesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UUID: RecordFields] = [:]

    func add(_ record: SnapshotRecord) { lock.withLock { storage[record.id] = record.fields } }
    var notes: [UUID: RecordFields] { lock.withLock { storage } }
}
