import AccordClient
import AccordCore
import Foundation

/// Sets up the database and organizations, seeds them, and runs each scenario's client jobs against a
/// fresh server process, whose peak memory is the scenario's.
final class Driver {
    let cluster: String
    let psql: String
    let sizes: Sizes
    let smoke: Bool
    let scenarios: [Scenario]
    let executable: String
    let database: String
    let ownerURL: String
    let appURL: String
    let work: URL

    var token = ""
    var orgs: [String: UUID] = [:]
    private var seeder = Seeder()

    init(cluster: String, psql: String, sizes: Sizes, smoke: Bool, scenarios: [Scenario]) throws {
        self.cluster = cluster
        self.psql = psql
        self.sizes = sizes
        self.smoke = smoke
        self.scenarios = scenarios
        executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        database = "accord_bench_\(UUID().uuidString.prefix(8).lowercased())"
        ownerURL = try BenchDatabase.url(cluster, database: database)
        appURL = try BenchDatabase.url(cluster, database: database, user: "accord_app")
        work = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-\(UUID().uuidString.prefix(8))")
    }

    func runAll() async throws -> [ScenarioResult] {
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try await BenchDatabase.execute(cluster, ["CREATE DATABASE \(database)"])
        defer { try? FileManager.default.removeItem(at: work) }
        do {
            let results = try await runScenarios()
            try await BenchDatabase.execute(cluster, ["DROP DATABASE IF EXISTS \(database) WITH (FORCE)"])
            return results
        } catch {
            try? await BenchDatabase.execute(cluster, ["DROP DATABASE IF EXISTS \(database) WITH (FORCE)"])
            throw error
        }
    }

    private func runScenarios() async throws -> [ScenarioResult] {
        say("Setting up: database \(database), \(sizes.rows) rows to seed")
        _ = try await withServer { server in
            let api = BenchAPI(server: server)
            token = try await api.signup("bench@example.com")
            for slug in ["bench-org", "bench-propagation", "bench-fanout"] + (1...sizes.pushOrgs).map({ "bench-push-\($0)" }) {
                orgs[slug] = try await api.createOrganization(slug, token: token)
            }
            try await BenchDatabase.execute(ownerURL, Baselines.createTablesSQL)
            if scenarios.contains(where: { [.initial, .idle, .catchUp].contains($0) }) {
                try await seeder.create(sizes.rows, in: orgs["bench-org"]!, server: server, token: token)
            }
        }
        var results: [ScenarioResult] = []
        for (index, scenario) in scenarios.enumerated() {
            let step = "[\(index + 1)/\(scenarios.count)]"
            switch scenario {
            case .initial:
                say("\(step) initial sync: \(sizes.rows) rows into a new replica, \(sizes.repetitions) times")
                results.append(try await initialSync())
            case .idle:
                say("\(step) idle sync: \(sizes.idleSamples) rounds with nothing to do")
                results.append(try await idle())
            case .propagation:
                say("\(step) propagation: \(sizes.samples) writes from one replica to another")
                results.append(try await propagation())
            case .push:
                say("\(step) push: \(sizes.pushMutations) mutations from 1 client, then from \(sizes.pushClients) clients")
                results.append(contentsOf: try await push())
            case .catchUp:
                say("\(step) catch-up: \(sizes.changes) changes after an offline period")
                results.append(try await catchUp())
            case .fanOut:
                say("\(step) fan-out: \(sizes.connections) realtime streams, one poke")
                results.append(try await fanOut())
            case .import:
                say("\(step) import: \(sizes.importRows) measurements as CSV, \(sizes.repetitions) times")
                results.append(try await importMeasurements())
            case .dashboard:
                say("\(step) dashboard view on the server: \(sizes.viewSamples) samples")
                results.append(try await dashboardView(offline: false))
            case .dashboardOffline:
                say("\(step) dashboard view offline: \(sizes.viewSamples) samples")
                results.append(try await dashboardView(offline: true))
            case .web:
                say("\(step) web pages on the demo data: \(sizes.pageSamples) samples of each")
                results.append(try await webPages())
            }
            say("    " + (results.last.map(Report.oneLine) ?? ""))
        }
        return results
    }

    // MARK: - Scenarios

    private func initialSync() async throws -> ScenarioResult {
        let org = orgs["bench-org"]!
        var accord: [JobResult] = [], baseline: [JobResult] = []
        let serverRSS = try await withServer { server in
            for repetition in 1...sizes.repetitions {
                let file = work.appendingPathComponent("initial-\(repetition).sqlite").path
                accord.append(try await runJob(Job(kind: .initialSync, server: server.absoluteString, token: token, orgs: [org], file: file)))
                say("    Accord \(repetition)/\(sizes.repetitions): \(Report.duration(accord.last!.seconds[0]))")
                if repetition == 1 { try copyReplica(file, to: base) } else { try Replica.remove(at: URL(fileURLWithPath: file)) }
                let copy = work.appendingPathComponent("initial-baseline-\(repetition).sqlite").path
                baseline.append(try await runJob(copyJob(.initialBaseline, org: org, file: copy)))
                say("    baseline \(repetition)/\(sizes.repetitions): \(Report.duration(baseline.last!.seconds[0]))")
                if repetition == 1 { try copyReplica(copy, to: baseBaseline) } else { try Replica.remove(at: URL(fileURLWithPath: copy)) }
            }
        }
        let rows = accord.first?.counts["snapshotRecords"] ?? 0
        return ScenarioResult.duration(
            key: "initial", title: "initial sync (\(Report.count(sizes.rows)))", accord: accord, baseline: baseline,
            goalRatio: 1.5, clientRSSLimit: 100 << 20, serverRSS: serverRSS,
            notes: ["Each replica received \(rows) records by snapshot; the baseline copied \(baseline.first?.counts["rows"] ?? 0) rows."]
        )
    }

    /// The replica (and the baseline's file) of the seeded organization that idle sync and catch-up start from;
    /// the initial sync leaves them behind, and without it they are made here, unmeasured.
    private func ensureBase() async throws {
        guard !FileManager.default.fileExists(atPath: base) || !FileManager.default.fileExists(atPath: baseBaseline) else { return }
        let org = orgs["bench-org"]!
        say("    preparing a replica of the seeded organization")
        _ = try await withServer { server in
            _ = try await runJob(Job(kind: .initialSync, server: server.absoluteString, token: token, orgs: [org], file: base))
        }
        _ = try await runJob(copyJob(.initialBaseline, org: org, file: baseBaseline))
    }

    private func idle() async throws -> ScenarioResult {
        try await ensureBase()
        let org = orgs["bench-org"]!
        let file = work.appendingPathComponent("idle.sqlite").path
        try copyReplica(base, to: file)
        var result = JobResult()
        let serverRSS = try await withServer { server in
            result = try await runJob(Job(kind: .idle, server: server.absoluteString, token: token, orgs: [org], file: file, count: sizes.idleSamples))
        }
        try Replica.remove(at: URL(fileURLWithPath: file))
        return ScenarioResult.latency(
            key: "idle", title: "idle sync (\(Report.count(result.counts["rows"] ?? 0)) rows)", result: result,
            goal: .ratio(2), serverRSS: serverRSS
        )
    }

    private func propagation() async throws -> ScenarioResult {
        let directory = work.appendingPathComponent("propagation")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var result = JobResult()
        let serverRSS = try await withServer { server in
            result = try await runJob(Job(
                kind: .propagation, server: server.absoluteString, token: token, orgs: [orgs["bench-propagation"]!], file: directory.path,
                count: sizes.samples
            ))
        }
        var scenario = ScenarioResult.latency(
            key: "propagation", title: "propagation A → B", result: result, goal: .absolute(p50: 0.005, p99: 0.025), serverRSS: serverRSS
        )
        scenario.notes.append(
            "Medians from the write: A's push acknowledged \(Report.millis(Double(result.counts["pushMicros"] ?? 0) / 1000)), "
                + "the poke read by a client \(Report.millis(Double(result.counts["pokeMicros"] ?? 0) / 1000)); the rest is B's pull and apply."
        )
        return scenario
    }

    private func push() async throws -> [ScenarioResult] {
        var results: [ScenarioResult] = []
        let pushOrgs = (1...sizes.pushOrgs).map { orgs["bench-push-\($0)"]! }
        for clients in [1, sizes.pushClients] {
            let perClient = max(1, sizes.pushMutations / clients)
            var accord: [JobResult] = [], baseline: [JobResult] = []
            let serverRSS = try await withServer { server in
                for repetition in 1...sizes.repetitions {
                    let seed = UInt64(1_000 * repetition + clients)
                    accord.append(try await runJob(Job(
                        kind: .push, server: server.absoluteString, token: token, orgs: Array(pushOrgs.prefix(clients)),
                        file: work.appendingPathComponent("push-\(clients)-\(repetition)").path, count: perClient, clients: clients, seed: seed
                    )))
                    let throughput = Double(perClient * clients) / accord.last!.seconds[0]
                    say("    Accord \(repetition)/\(sizes.repetitions): \(Report.rate(throughput))")
                    var job = copyJob(.pushBaseline, org: pushOrgs[0], file: "")
                    job.orgs = Array(pushOrgs.prefix(clients))
                    job.count = perClient
                    job.clients = clients
                    job.seed = seed &+ 500
                    baseline.append(try await runJob(job))
                    say("    baseline \(repetition)/\(sizes.repetitions): \(Report.rate(Double(perClient * clients) / baseline.last!.seconds[0]))")
                }
            }
            let orgCount = min(clients, sizes.pushOrgs)
            results.append(ScenarioResult.throughput(
                key: clients == 1 ? "push-1" : "push-\(clients)",
                title: clients == 1 ? "push, 1 client" : "push, \(clients) clients, \(orgCount) orgs",
                operations: perClient * clients, accord: accord, baseline: baseline, goalRatio: 0.5, serverRSS: serverRSS,
                notes: ["\(clients) × \(Report.count(perClient)) mutations (creates of full rows), pushed in the engine's batches of 500."]
            ))
        }
        return results
    }

    private func catchUp() async throws -> ScenarioResult {
        try await ensureBase()
        let org = orgs["bench-org"]!
        let since = seeder.head
        _ = try await withServer { server in
            try await seeder.update(sizes.changes, in: org, server: server, token: token)
        }
        var accord: [JobResult] = [], baseline: [JobResult] = [], floor: [JobResult] = []
        let serverRSS = try await withServer { server in
            for repetition in 1...sizes.repetitions {
                let file = work.appendingPathComponent("catchup-\(repetition).sqlite").path
                try copyReplica(base, to: file)
                accord.append(try await runJob(Job(kind: .catchUp, server: server.absoluteString, token: token, orgs: [org], file: file)))
                say("    Accord \(repetition)/\(sizes.repetitions): \(Report.duration(accord.last!.seconds[0]))")
                try Replica.remove(at: URL(fileURLWithPath: file))
                let copy = work.appendingPathComponent("catchup-baseline-\(repetition).sqlite").path
                try copyReplica(baseBaseline, to: copy)
                var job = copyJob(.catchUpBaseline, org: org, file: copy)
                job.since = since
                baseline.append(try await runJob(job))
                say("    baseline \(repetition)/\(sizes.repetitions): \(Report.duration(baseline.last!.seconds[0]))")
                try Replica.remove(at: URL(fileURLWithPath: copy))
                let floorFile = work.appendingPathComponent("catchup-floor-\(repetition).sqlite").path
                try copyReplica(base, to: floorFile)
                job = copyJob(.catchUpFloor, org: org, file: floorFile)
                job.since = since
                job.count = SyncProtocol.defaultPullLimit
                floor.append(try await runJob(job))
                say("    SQLite alone, committing every \(job.count) \(repetition)/\(sizes.repetitions): \(Report.duration(floor.last!.seconds[0]))")
                try Replica.remove(at: URL(fileURLWithPath: floorFile))
            }
        }
        // A replica that took a snapshot instead would measure the wrong thing.
        if let pulled = accord.first?.counts["pulled"], pulled != sizes.changes {
            throw BenchError("the catch-up replica pulled \(pulled) changes instead of \(sizes.changes); its starting replica was not at the seeded head")
        }
        return ScenarioResult.duration(
            key: "catch-up", title: "catch-up (\(Report.count(sizes.changes)))", accord: accord, baseline: baseline,
            goalRatio: 1.5, clientRSSLimit: nil, serverRSS: serverRSS,
            notes: [
                "The replica pulled \(accord.first?.counts["pulled"] ?? 0) changes; the baseline copied \(baseline.first?.counts["rows"] ?? 0) changed rows.",
                floorNote(floor, baseline: baseline),
            ]
        )
    }

    /// What SQLite alone took for catch-up's writes committed page by page, against the baseline (`CatchUpFloor`).
    private func floorNote(_ floor: [JobResult], baseline: [JobResult]) -> String {
        let (f, b) = (Summary(floor.flatMap(\.seconds)), Summary(baseline.flatMap(\.seconds)))
        let ratio = b.median > 0 ? String(format: "%.2f", f.median / b.median) : "-"
        return "SQLite alone, writing the same changed rows into a copy of the replica with one UPDATE each, committed every "
            + "\(SyncProtocol.defaultPullLimit) as pull pages are, without the checksum triggers: \(Report.duration(f.median)) (median), "
            + "\(ratio)× the baseline."
    }

    private func fanOut() async throws -> ScenarioResult {
        var result = JobResult()
        let serverRSS = try await withServer { server in
            result = try await runJob(Job(
                kind: .fanOut, server: server.absoluteString, token: token, orgs: [orgs["bench-fanout"]!], count: sizes.connections,
                repetitions: sizes.repetitions
            ))
        }
        return ScenarioResult.fanOut(result: result, connections: sizes.connections, serverRSS: serverRSS)
    }

    // MARK: - Processes

    var base: String { work.appendingPathComponent("base.sqlite").path }
    private var baseBaseline: String { work.appendingPathComponent("base-baseline.sqlite").path }

    func copyJob(_ kind: Job.Kind, org: UUID, file: String) -> Job {
        Job(kind: kind, orgs: [org], file: file, databaseURL: ownerURL, psql: psql)
    }

    /// Runs `body` against a new server process and returns the server's peak resident memory meanwhile.
    func withServer(seedDemo: Bool = false, _ body: (URL) async throws -> Void) async throws -> Int {
        // ACCORD_BENCH_SERVER_WRAPPER runs the server under a profiler, e.g. "perf record -g -o /tmp/server.perf".
        let wrapper = ProcessInfo.processInfo.environment["ACCORD_BENCH_SERVER_WRAPPER"].map { $0.split(separator: " ").map(String.init) } ?? []
        let command = wrapper + [executable, "serve", "--database-url", ownerURL, "--app-database-url", appURL] + (seedDemo ? ["--seed-demo"] : [])
        let child = try Child(executable: try which(command[0]), arguments: Array(command.dropFirst()))
        guard let address = await child.line(startingWith: "listening "), let url = URL(string: address) else {
            child.terminate()
            throw BenchError("the server did not start")
        }
        do {
            try await body(url)
        } catch {
            child.terminate()
            _ = await child.wait()
            throw error
        }
        let peak = Memory.peakRSS(of: child.pid)
        child.terminate()
        _ = await child.wait()
        return peak
    }

    func runJob(_ job: Job) async throws -> JobResult {
        let child = try Child(executable: executable, arguments: ["client", String(decoding: try JSONEncoder().encode(job), as: UTF8.self)])
        let (status, lines) = await child.wait()
        guard status == 0, let line = lines.last(where: { $0.hasPrefix("result ") }) else {
            throw BenchError("the \(job.kind.rawValue) client failed (exit status \(status))")
        }
        return try JSONDecoder().decode(JobResult.self, from: Data(line.dropFirst("result ".count).utf8))
    }

    /// Copies a closed SQLite database with its WAL files.
    private func copyReplica(_ source: String, to destination: String) throws {
        try Replica.remove(at: URL(fileURLWithPath: destination))
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: source + suffix) {
            try FileManager.default.copyItem(atPath: source + suffix, toPath: destination + suffix)
        }
    }
}

/// Seeds the big organization through the push endpoint, as one client, in batches of 1,000.
struct Seeder {
    let clientID = UUID()
    private var generator = MeasurementGenerator(seed: 1)
    private var nextMutation: Int64 = 1
    private var records: [(id: UUID, seq: Int64)] = []
    private(set) var head: Int64 = 0

    mutating func create(_ count: Int, in org: UUID, server: URL, token: String) async throws {
        var mutations: [Mutation] = []
        for index in 0..<count {
            mutations.append(mutation(.create, record: generator.id(), fields: generator.fields(index: index), baseSeq: 0))
        }
        let results = try await push(mutations, org: org, server: server, token: token, label: "seeding")
        records = zip(mutations, results).map { ($0.recordID, $1.seq ?? 0) }
    }

    /// Changes `count` records (cycling when there are fewer), as later corrections.
    mutating func update(_ count: Int, in org: UUID, server: URL, token: String) async throws {
        var mutations: [Mutation] = []
        var indexes: [Int] = []
        for index in 0..<count {
            let record = index % records.count
            mutations.append(mutation(.update, record: records[record].id, fields: generator.correction(), baseSeq: records[record].seq))
            indexes.append(record)
        }
        let results = try await push(mutations, org: org, server: server, token: token, label: "changing")
        for (record, result) in zip(indexes, results) { records[record].seq = result.seq ?? records[record].seq }
    }

    private mutating func mutation(_ operation: MutationOperation, record: UUID, fields: RecordFields, baseSeq: Int64) -> Mutation {
        defer { nextMutation += 1 }
        return Mutation(
            mutationID: nextMutation, collection: BenchCollection.name, recordID: record, operation: operation, fields: fields,
            baseSeq: baseSeq, timestamp: HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000), counter: UInt32(nextMutation % 1_000_000), node: clientID.uuidString.lowercased())
        )
    }

    private mutating func push(_ mutations: [Mutation], org: UUID, server: URL, token: String, label: String) async throws -> [MutationResult] {
        let transport = HTTPSyncTransport(server: server, token: token, organization: org)
        var results: [MutationResult] = []
        let step = max(1, mutations.count / 5)
        for start in stride(from: 0, to: mutations.count, by: 1_000) {
            let batch = Array(mutations[start..<min(start + 1_000, mutations.count)])
            let response = try await transport.push(PushRequest(clientID: clientID, mutations: batch))
            guard response.results.allSatisfy({ $0.outcome == .applied || $0.outcome == .merged }) else {
                throw BenchError("\(label): the server refused a mutation: \(response.results.first { $0.outcome == .rejected }.map { "\($0.reason ?? "")" } ?? "")")
            }
            results += response.results
            head = response.head
            let done = results.count
            if done / step != (done - batch.count) / step || done == mutations.count {
                say("    \(label): \(Report.count(done))/\(Report.count(mutations.count)) rows")
            }
        }
        return results
    }
}

/// The full path of a program, as the shell would find it on PATH.
func which(_ program: String) throws -> String {
    if program.contains("/") { return program }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let path = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw BenchError("\(program) is not on PATH")
}
