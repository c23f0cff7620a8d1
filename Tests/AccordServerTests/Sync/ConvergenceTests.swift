import AccordClient
import AccordCore
import AccordServer
import Foundation
import PostgresNIO
import Testing

/// A seeded generator, so a failing seed replays exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9e37_79b9_7f4a_7c15 }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Random offline work on several replicas of one organization, synced in random order through faults.
/// CI runs 30 seeds, which keeps it under its time; `ACCORD_CONVERGENCE_SEEDS=500 scripts/test --filter Convergence`
/// searches deeper.
@Suite("Convergence under faults")
struct ConvergenceTests {
    static let seeds = ProcessInfo.processInfo.environment["ACCORD_CONVERGENCE_SEEDS"].flatMap(Int.init) ?? 30
    static let clients = 5
    static let operationsPerClient = 200
    /// Seeds run in batches, one test case each, so a failure names its batch and a long run reports progress;
    /// the batches run side by side, each with its own server and database, so the suite takes one batch's time.
    static let batches = stride(from: 0, to: seeds, by: 10).map { $0..<min($0 + 10, seeds) }

    @Test(arguments: batches)
    func everyReplicaConvergesWithTheServer(seeds: Range<Int>) async throws {
        try await LiveServer.with { live in
            let (token, dana) = try await live.signup("dana@example.com")
            for seed in seeds {
                let org = try await live.createOrganization("seed-\(seed)", token: token)
                var run = try ConvergenceRun(seed: UInt64(seed), live: live, token: token, user: dana.id, org: org)
                defer { run.remove() }
                try await run.play()
                try await run.settle()
                try await run.check()
            }
        }
    }
}

/// One seed's run: the replicas, their fault-injecting transports, and what the test expects.
struct ConvergenceRun {
    struct Client {
        var replica: Replica
        let transport: FaultyTransport
        var operations = 0
    }

    let seed: UInt64
    let live: LiveServer
    let token: String
    let user: UUID
    let org: Organization
    var random: SeededGenerator
    var clients: [Client] = []
    var restarts = 0
    var crashes = 0

    init(seed: UInt64, live: LiveServer, token: String, user: UUID, org: Organization) throws {
        self.seed = seed
        self.live = live
        self.token = token
        self.user = user
        self.org = org
        random = SeededGenerator(seed: seed)
        for _ in 0..<ConvergenceTests.clients {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("accord-convergence-\(UUID()).sqlite")
            clients.append(Client(
                replica: try Replica(at: url, organization: org.id),
                transport: FaultyTransport(live: live, token: token, organization: org.id)
            ))
        }
    }

    func engine(_ client: Client) -> SyncEngine {
        var engine = SyncEngine(replica: client.replica, transport: client.transport)
        engine.backoff = Backoff(initial: .milliseconds(1), maximum: .milliseconds(20), attempts: 8)
        engine.pushBatchSize = 25
        engine.pullPageSize = 40
        engine.snapshotBatchSize = 50
        return engine
    }

    mutating func play() async throws {
        while let index = clients.indices.filter({ clients[$0].operations < ConvergenceTests.operationsPerClient }).randomElement(using: &random) {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<12: try await sync(index)
            case 12..<14: try await crashAndReopen(index)
            case 14..<15:
                try await live.restart()
                restarts += 1
            case 15..<16: try await pruneSomeHistory()
            case 16..<18: try await changeTeams()
            default:
                try await localOperation(index)
                clients[index].operations += 1
            }
        }
    }

    /// Syncs until every outbox is empty and every replica is at the server's head, without faults.
    mutating func settle() async throws {
        for _ in 0..<3 {
            for client in clients { try await engine(client).sync() }
        }
    }

    mutating func sync(_ index: Int) async throws {
        var plan = FaultPlan()
        plan.losePushResponse = Bool.random(using: &random) && Int.random(in: 0..<3, using: &random) == 0
        plan.cutPull = Int.random(in: 0..<5, using: &random) == 0
        plan.cutSnapshotAfter = Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 1..<20, using: &random) : nil
        clients[index].transport.arm(plan)
        let summary = try await engine(clients[index]).sync()
        #expect(!summary.recountedChecksums, "seed \(seed): the running checksums follow every change")
        clients[index].transport.arm(FaultPlan())
    }

    /// The process dies between a local write and its push: the file is reopened by a new replica object.
    mutating func crashAndReopen(_ index: Int) async throws {
        try await localOperation(index)
        clients[index].operations += 1
        let url = clients[index].replica.url
        try clients[index].replica.close()
        clients[index].replica = try Replica(at: url, organization: org.id)
        crashes += 1
    }

    /// The member endpoints change who is in which team, which the server writes to `members` and `team_rosters`.
    mutating func changeTeams() async throws {
        let teams = StandardTeam.allCases.map(\.rawValue).filter { _ in Bool.random(using: &random) }
        try await live.setTeams(teams, of: user, in: org.slug, token: token)
    }

    /// The server's retention drops old changes; replicas behind the horizon must resync by snapshot.
    mutating func pruneSomeHistory() async throws {
        let head = try await serverHead()
        guard head > 0 else { return }
        _ = try await live.server.pruneChanges(org: org.slug, through: Int64.random(in: 0...head, using: &random))
    }

    mutating func localOperation(_ index: Int) async throws {
        let replica = clients[index].replica
        let notes = try replica.recordIDs("notes")
        let conflicts = try replica.conflicts()
        let roll = Int.random(in: 0..<100, using: &random)
        if roll < 30 || notes.isEmpty {
            try await replica.create("notes", ["title": .text(word()), "body": .text(word()), "pinned": .bool(Bool.random(using: &random))])
        } else if roll < 80, let id = notes.randomElement(using: &random) {
            var fields: RecordFields = [:]
            // Few distinct words make same-value and same-field edits common.
            if Bool.random(using: &random) { fields["title"] = .text(word()) }
            if Bool.random(using: &random) { fields["body"] = .text(word()) }
            if fields.isEmpty || Bool.random(using: &random) { fields["pinned"] = .bool(Bool.random(using: &random)) }
            try await replica.update("notes", id, fields)
        } else if roll < 90, let id = notes.randomElement(using: &random) {
            try await replica.delete("notes", id)
        } else if let conflict = conflicts.randomElement(using: &random) {
            let choice: ConflictResolution = switch Int.random(in: 0..<3, using: &random) {
            case 0: .mine
            case 1: .theirs
            default: conflict.kind == .field ? .value(.text(word())) : .theirs
            }
            do {
                try replica.resolve(conflict.id, with: choice)
            } catch ClientError.notFound {
                try replica.resolve(conflict.id, with: .theirs)
            }
        } else {
            try await replica.create("notes", ["title": .text(word())])
        }
    }

    mutating func word() -> String {
        ["pipeline", "mql", "trade show", "budget", "q3 dip", "icp", "renewals", "paid social"].randomElement(using: &random)!
    }

    func serverHead() async throws -> Int64 {
        try await TestDatabase.withConnection(to: live.database.owner) { connection in
            var head: Int64 = 0
            for try await seq in try await connection.query(
                "SELECT last_seq FROM sync_heads WHERE org_id = \(org.id)", logger: testLogger
            ).decode(Int64.self) { head = seq }
            return head
        }
    }

    func check() async throws {
        let context = "seed \(seed) (\(restarts) restarts, \(crashes) crashes)"
        let server = try await serverRecords()
        let head = try await serverHead()
        for (index, client) in clients.enumerated() {
            let status = try client.replica.status()
            #expect(status.pending == 0, "\(context): client \(index)'s outbox is empty")
            #expect(status.cursor == head, "\(context): client \(index) is at the head")
            #expect(try client.replica.maintainedChecksums() == client.replica.serverStateChecksums(), "\(context): client \(index)'s running checksums")
            for collection in client.replica.catalog.names {
                let local = Dictionary(uniqueKeysWithValues: try client.replica.records(collection).map { ($0.id, $0.fields) })
                #expect(local == server[collection] ?? [:], "\(context): client \(index)'s \(collection) equal the server's")
            }
        }
        try await TestDatabase.withConnection(to: live.database.owner) { connection in
            for client in clients {
                let queued = try client.replica.status().lastMutationID
                let rows = try await connection.query(
                    "SELECT count(*), coalesce(min(mutation_id), 0), coalesce(max(mutation_id), 0) FROM mutation_outcomes WHERE org_id = \(org.id) AND client_id = \(client.replica.clientID)",
                    logger: testLogger
                ).decode((Int64, Int64, Int64).self)
                for try await (count, first, last) in rows {
                    #expect(count == queued && (queued == 0 || (first == 1 && last == queued)), "\(context): every queued mutation has one outcome")
                }
            }
            let duplicates = try await connection.query(
                "SELECT count(*) FROM (SELECT 1 FROM changes WHERE org_id = \(org.id) AND mutation_id IS NOT NULL GROUP BY client_id, mutation_id HAVING count(*) > 1) d",
                logger: testLogger
            ).decode(Int64.self)
            for try await count in duplicates { #expect(count == 0, "\(context): no mutation was applied twice") }
            let missing = try await connection.query(
                """
                SELECT count(*) FROM mutation_outcomes o, jsonb_array_elements_text(o.result -> 'conflictIDs') AS raised(id)
                WHERE o.org_id = \(org.id) AND NOT EXISTS (
                        SELECT 1 FROM conflicts c WHERE c.org_id = o.org_id AND c.id = raised.id::uuid
                      AND (c.kind = 'deleted_while_edited' OR c.client_value IS NOT NULL)
                      AND (c.kind = 'edited_while_deleted' OR c.server_value IS NOT NULL))
                """,
                logger: testLogger
            ).decode(Int64.self)
            for try await count in missing { #expect(count == 0, "\(context): every raised conflict holds both values") }
            let conflicted = try await connection.query(
                "SELECT count(*) FROM mutation_outcomes WHERE org_id = \(org.id) AND outcome = 'conflict' AND jsonb_array_length(result -> 'conflictIDs') = 0",
                logger: testLogger
            ).decode(Int64.self)
            for try await count in conflicted { #expect(count == 0, "\(context): every conflict outcome raised a conflict record") }
        }
    }

    /// The server's current records per collection, from a fault-free snapshot.
    func serverRecords() async throws -> [String: [UUID: RecordFields]] {
        let collected = RecordsBox()
        try await HTTPSyncTransport(server: live.url, token: token, organization: org.id).snapshot { line in
            // Snapshots carry json values in PostgreSQL's spelling; replicas keep the canonical one.
            if case .record(var record) = line, let schema = Catalog.builtIn.named(record.collection) {
                record.fields = schema.canonical(record.fields)
                collected.add(record)
            }
        }
        return collected.records
    }

    func remove() {
        for client in clients {
            try? client.replica.close()
            try? Replica.remove(at: client.replica.url)
        }
    }
}

private final class RecordsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String: [UUID: RecordFields]] = [:]

    func add(_ record: SnapshotRecord) {
        lock.withLock { storage[record.collection, default: [:]][record.id] = record.fields }
    }

    var records: [String: [UUID: RecordFields]] { lock.withLock { storage } }
}
