import AccordClient
import AccordCore
import Foundation

/// Initial sync and catch-up: one `SyncEngine.sync()` of a replica, timed from start to verified.
enum ReplicaJobs {
    static func sync(_ job: Job) async throws -> JobResult {
        let url = URL(fileURLWithPath: job.file)
        if job.kind == .initialSync { try? Replica.remove(at: url) }
        Memory.resetPeak()
        let replica = try Replica(at: url, organization: job.org, catalog: BenchCollection.catalog)
        let engine = SyncEngine(replica: replica, transport: HTTPSyncTransport(server: job.serverURL, token: job.token, organization: job.org))
        let start = ContinuousClock.now
        let summary = try await engine.sync()
        let elapsed = ContinuousClock.now - start
        let peak = Memory.peakRSS()
        try replica.close()
        guard summary.verified else { throw BenchError("the replica did not verify") }
        return JobResult(
            seconds: [seconds(elapsed)], peakRSS: peak,
            counts: ["snapshotRecords": summary.snapshotRecords, "pulled": summary.pulled]
        )
    }
}
