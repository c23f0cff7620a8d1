import AccordClient
import AccordCore
import Foundation
import NIOPosix
import PostgresNIO
import Synchronization

/// Push throughput: local writes queued in each client's outbox, then pushed by `SyncEngine` in its batches.
enum PushJobs {
    static func accord(_ job: Job) async throws -> JobResult {
        var engines: [SyncEngine] = []
        for client in 0..<job.clients {
            let org = job.orgs[client % job.orgs.count]
            let url = URL(fileURLWithPath: job.file + "-\(client).sqlite")
            try? Replica.remove(at: url)
            let replica = try Replica(at: url, organization: org, catalog: BenchCollection.catalog)
            let engine = SyncEngine(replica: replica, transport: HTTPSyncTransport(server: job.serverURL, token: job.token, organization: org))
            try await engine.sync()
            var generator = MeasurementGenerator(seed: job.seed &+ UInt64(client))
            for index in 0..<job.count {
                _ = try await replica.create(BenchCollection.name, generator.fields(index: index), id: generator.id())
            }
            engines.append(engine)
        }
        Memory.resetPeak()
        let pushed = Locked<[Int: ContinuousClock.Instant]>([:])
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, engine) in engines.enumerated() {
                group.addTask {
                    let summary = try await engine.sync { progress in
                        if progress.phase == .pushing, progress.done == progress.total {
                            pushed.withLock { $0[client] = .now }
                        }
                    }
                    guard summary.pushed == job.count, summary.rejected == 0 else {
                        throw BenchError("client \(client) pushed \(summary.pushed) of \(job.count), \(summary.rejected) rejected")
                    }
                }
            }
            try await group.waitForAll()
        }
        let end = pushed.withLock { $0.values.max() } ?? .now
        let peak = Memory.peakRSS()
        for engine in engines { try engine.replica.close() }
        return JobResult(seconds: [seconds(end - start)], peakRSS: peak, counts: ["mutations": job.count * job.clients])
    }

    /// The same row writes and change-log inserts, straight to PostgreSQL: one transaction per batch of the
    /// engine's size, with the organization's head row locked as Accord locks it.
    static func baseline(_ job: Job) async throws -> JobResult {
        let batchSize = 500  // SyncEngine's pushBatchSize
        let fields = BenchCollection.schema.fields
        let columns = fields.map(\.name).joined(separator: ", ")
        let placeholders = (0..<fields.count).map { "$\($0 + 8)" }.joined(separator: ", ")
        let insertRow = """
            INSERT INTO bench_baseline_rows (org_id, id, seq, field_seqs, field_stamps, created_by, created_client, updated_by,
                                             updated_client, \(columns))
            VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $6, $7, \(placeholders))
            """
        let insertChange = """
            INSERT INTO bench_baseline_changes (org_id, seq, collection, record_id, operation, outcome, fields, actor, client_id,
                                                mutation_id, stamp)
            VALUES ($1, $2, $3, $4, 'create', 'applied', $5::jsonb, $6, $7, $8, $9)
            """
        var work: [(org: UUID, client: UUID, mutations: [(UUID, RecordFields)])] = []
        for client in 0..<job.clients {
            var generator = MeasurementGenerator(seed: job.seed &+ UInt64(client))
            let mutations = (0..<job.count).map { index in (generator.id(), generator.fields(index: index)) }
            work.append((job.orgs[client % job.orgs.count], UUID(), mutations))
        }
        let configuration = try BenchDatabase.configuration(job.databaseURL)
        var connections: [PostgresConnection] = []
        for id in 0..<job.clients {
            connections.append(try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: benchLogger
            ))
        }
        let actor = UUID()
        Memory.resetPeak()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, connection) in connections.enumerated() {
                let (org, clientID, mutations) = work[client]
                group.addTask {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    var mutationID: Int64 = 0
                    for batchStart in stride(from: 0, to: mutations.count, by: batchSize) {
                        let batch = mutations[batchStart..<min(batchStart + batchSize, mutations.count)]
                        try await connection.query("BEGIN", logger: benchLogger)
                        var seq: Int64 = 0
                        for try await head in try await connection.query(
                            "UPDATE bench_baseline_heads SET last_seq = last_seq + \(Int64(batch.count)) WHERE org_id = \(org) RETURNING last_seq",
                            logger: benchLogger
                        ).decode(Int64.self) { seq = head - Int64(batch.count) }
                        for (id, values) in batch {
                            seq += 1
                            mutationID += 1
                            let stamp = HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000), node: clientID.uuidString.lowercased())
                            var binds = PostgresBindings(capacity: 8 + fields.count)
                            binds.append(org)
                            binds.append(id)
                            binds.append(seq)
                            binds.append(String(decoding: try encoder.encode(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, seq) })), as: UTF8.self))
                            binds.append(String(decoding: try encoder.encode(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, stamp) })), as: UTF8.self))
                            binds.append(actor)
                            binds.append(clientID)
                            for field in fields { binds.append(values[field.name] ?? .null, as: field.type) }
                            try await connection.query(PostgresQuery(unsafeSQL: insertRow, binds: binds), logger: benchLogger)
                            var change = PostgresBindings(capacity: 9)
                            change.append(org)
                            change.append(seq)
                            change.append(BenchCollection.name)
                            change.append(id)
                            change.append(String(decoding: try encoder.encode(values), as: UTF8.self))
                            change.append(actor)
                            change.append(clientID)
                            change.append(mutationID)
                            change.append(stamp.description)
                            try await connection.query(PostgresQuery(unsafeSQL: insertChange, binds: change), logger: benchLogger)
                        }
                        try await connection.query("COMMIT", logger: benchLogger)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let peak = Memory.peakRSS()
        for connection in connections { try await connection.close() }
        return JobResult(seconds: [seconds(elapsed)], peakRSS: peak, counts: ["mutations": job.count * job.clients])
    }
}

extension PostgresBindings {
    /// Binds a field value with its column's PostgreSQL type, as the server does.
    mutating func append(_ value: FieldValue, as type: FieldType) {
        switch (type, value) {
        case (_, .null): appendNull()
        case (.uuid, .text(let text)): append(UUID(uuidString: text))
        case (.timestamp, .text(let text)): append(FieldSchema.parseTime(text))
        case (.real, .int(let int)): append(Double(int))
        case (_, .text(let text)): append(text)
        case (_, .int(let int)): append(int)
        case (_, .double(let double)): append(double)
        case (_, .bool(let bool)): append(bool)
        }
    }
}

/// The push baseline's tables: copies of the benchmark collection's table and of the change log, with
/// their indexes, and a head per organization; no row-level security, as the fastest direct path.
enum Baselines {
    static let createTablesSQL = [
        "CREATE TABLE IF NOT EXISTS bench_baseline_rows (LIKE \(BenchCollection.name) INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)",
        "CREATE TABLE IF NOT EXISTS bench_baseline_changes (LIKE changes INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)",
        "CREATE TABLE IF NOT EXISTS bench_baseline_heads (org_id uuid PRIMARY KEY, last_seq bigint NOT NULL DEFAULT 0)",
        "INSERT INTO bench_baseline_heads (org_id) SELECT id FROM organizations ON CONFLICT DO NOTHING",
    ]
}
