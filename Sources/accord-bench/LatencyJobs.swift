import AccordClient
import AccordCore
import Foundation

/// Latency: a write on one replica until another, following the realtime stream, has applied it; and a
/// sync round when nothing changed. Each sample is interleaved with a bare HTTP round trip, the baseline.
enum LatencyJobs {
    static func propagation(_ job: Job) async throws -> JobResult {
        let directory = URL(fileURLWithPath: job.file)
        let (a, b) = (directory.appendingPathComponent("a.sqlite"), directory.appendingPathComponent("b.sqlite"))
        try? Replica.remove(at: a)
        try? Replica.remove(at: b)
        let transport = HTTPSyncTransport(server: job.serverURL, token: job.token, organization: job.org)
        let writer = SyncEngine(replica: try Replica(at: a, organization: job.org, catalog: BenchCollection.catalog), transport: transport)
        let reader = SyncEngine(replica: try Replica(at: b, organization: job.org, catalog: BenchCollection.catalog), transport: transport)
        var generator = MeasurementGenerator(seed: job.seed)
        let id = try await writer.replica.create(BenchCollection.name, generator.fields(index: 0), id: generator.id()).id
        try await writer.sync()
        try await reader.sync()

        // Each of the reader's rounds reports the sample count it now holds, with the time it finished applying.
        let (applied, seen) = AsyncStream.makeStream(of: (Int64, ContinuousClock.Instant).self)
        let replica = reader.replica
        let live = Task {
            try await reader.live { result in
                guard case .success = result, case .int(let value)? = try? replica.record(BenchCollection.name, id)?["sample_count"] else { return }
                seen.yield((value, .now))
            }
        }
        defer { live.cancel() }
        var iterator = applied.makeAsyncIterator()
        // A second stream, only to time when the poke reaches a client, splitting each sample in two.
        let pokes = Locked<[Int64: ContinuousClock.Instant]>([:])
        let listener = Task {
            for try await seq in transport.events() { pokes.withLock { $0[seq] = $0[seq] ?? .now } }
        }
        defer { listener.cancel() }
        try await Task.sleep(for: .milliseconds(500))

        let api = BenchAPI(server: job.serverURL)
        Memory.resetPeak()
        var samples: [Double] = [], baseline: [Double] = [], toPoke: [Double] = [], pushes: [Double] = []
        for sample in 1...job.count {
            let value = Int64(1_000_000 + sample)
            let start = ContinuousClock.now
            try await writer.replica.update(BenchCollection.name, id, ["sample_count": .int(value)])
            let pushed = Locked<ContinuousClock.Instant?>(nil)
            let summary = try await writer.sync { progress in
                if progress.phase == .pushing { pushed.withLock { $0 = .now } }
            }
            if let at = pushed.withLock({ $0 }) { pushes.append(seconds(at - start)) }
            var arrived: ContinuousClock.Instant?
            while arrived == nil {
                guard let (got, at) = await iterator.next() else { throw BenchError("the reader's live sync ended") }
                if got == value { arrived = at }
            }
            samples.append(seconds(arrived! - start))
            if let at = pokes.withLock({ $0[summary.cursor] }) { toPoke.append(seconds(at - start)) }
            let bare = ContinuousClock.now
            try await api.roundTrip()
            baseline.append(seconds(ContinuousClock.now - bare))
            if sample % max(1, job.count / 5) == 0 { say("    propagation: \(sample)/\(job.count) samples") }
        }
        let peak = Memory.peakRSS()
        live.cancel()
        _ = await live.result
        let millis = { (values: [Double]) in Int((Summary(values).median * 1000).rounded()) }
        return JobResult(
            seconds: samples, baseline: baseline, peakRSS: peak,
            counts: ["pushMicros": millis(pushes.map { $0 * 1000 }), "pokeMicros": millis(toPoke.map { $0 * 1000 })]
        )
    }

    static func idle(_ job: Job) async throws -> JobResult {
        let replica = try Replica(at: URL(fileURLWithPath: job.file), organization: job.org, catalog: BenchCollection.catalog)
        let engine = SyncEngine(replica: replica, transport: HTTPSyncTransport(server: job.serverURL, token: job.token, organization: job.org))
        let api = BenchAPI(server: job.serverURL)
        try await engine.sync()
        try await api.roundTrip()
        Memory.resetPeak()
        var samples: [Double] = [], baseline: [Double] = []
        for sample in 1...job.count {
            let start = ContinuousClock.now
            let summary = try await engine.sync()
            samples.append(seconds(ContinuousClock.now - start))
            guard summary.pulled == 0, summary.pushed == 0 else { throw BenchError("an idle sync moved data: \(summary)") }
            let bare = ContinuousClock.now
            try await api.roundTrip()
            baseline.append(seconds(ContinuousClock.now - bare))
            if sample % max(1, job.count / 5) == 0 { say("    idle sync: \(sample)/\(job.count) samples") }
        }
        let peak = Memory.peakRSS()
        try replica.close()
        return JobResult(seconds: samples, baseline: baseline, peakRSS: peak, counts: ["rows": try rowCount(job)])
    }

    private static func rowCount(_ job: Job) throws -> Int {
        let replica = try Replica(at: URL(fileURLWithPath: job.file), organization: job.org, catalog: BenchCollection.catalog)
        defer { try? replica.close() }
        return try replica.recordIDs(BenchCollection.name).count
    }
}
