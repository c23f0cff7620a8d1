import AccordClient
import AccordCore
import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO

/// The KPI spine's measurements: a bulk import against PostgreSQL's COPY, and a dashboard view, on the server
/// and offline, each sample interleaved with the same aggregates as one hand-written query.
enum KPIJobs {
    static let dashboard = "Monthly review"

    /// One import of the file through the endpoint, until it answers: every row applied and logged.
    static func importFile(_ job: Job) async throws -> JobResult {
        Memory.resetPeak()
        let start = ContinuousClock.now
        let report = try await BenchAPI(server: job.serverURL).importMeasurements(URL(fileURLWithPath: job.file), org: job.org, token: job.token)
        let elapsed = ContinuousClock.now - start
        guard report.created == job.count, report.rejected == 0 else { throw BenchError("the import created \(report.created) of \(job.count) rows: \(report.problems.prefix(3))") }
        return JobResult(seconds: [seconds(elapsed)], peakRSS: Memory.peakRSS(), counts: ["rows": report.created])
    }

    /// psql's `\copy` of the same file into a plain table of the same columns.
    static func importBaseline(_ job: Job) async throws -> JobResult {
        try await BenchDatabase.execute(job.databaseURL, [
            "CREATE TABLE IF NOT EXISTS bench_import_baseline (kpi text, period text, segment text, value double precision, source text)",
            "TRUNCATE bench_import_baseline",
        ])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: job.psql)
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", job.databaseURL, "-c", "\\copy bench_import_baseline FROM '\(job.file)' WITH (FORMAT csv, HEADER true)"]
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        guard process.terminationStatus == 0 else { throw BenchError("psql \\copy failed with status \(process.terminationStatus)") }
        return JobResult(seconds: [seconds(elapsed)], counts: ["rows": job.count])
    }

    /// The server's view of the dashboard, each sample followed by the hand-written query.
    static func serverView(_ job: Job) async throws -> JobResult {
        let url = job.serverURL.appendingPathComponent("v1/orgs/\(job.org.lowercasedText)/dashboards/\(dashboard)/view").absoluteString
        return try await BenchDatabase.withConnection(job.databaseURL) { connection in
            let kpis = try await shownKPIReferences(connection, org: job.org)
            var result = JobResult()
            Memory.resetPeak()
            for _ in 0..<job.count {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: "Bearer \(job.token)")
                var start = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                let body = try await response.body.collect(upTo: 16 << 20)
                guard response.status == .ok else { throw BenchError("the view answered \(response.status): \(String(buffer: body).prefix(500))") }
                result.seconds.append(seconds(ContinuousClock.now - start))
                start = ContinuousClock.now
                var rows = 0
                for try await _ in try await connection.query(serverSQL(org: job.org, kpis: kpis), logger: benchLogger) { rows += 1 }
                result.baseline.append(seconds(ContinuousClock.now - start))
                result.counts["baselineRows"] = rows
            }
            result.peakRSS = Memory.peakRSS()
            return result
        }
    }

    private static func shownKPIReferences(_ connection: PostgresConnection, org: UUID) async throws -> [String] {
        let keys = KPIData.shownKPIs.map(KPIData.key)
        var references: [String] = []
        for try await id in try await connection.query("SELECT id FROM kpis WHERE org_id = \(org) AND key = ANY(\(keys))", logger: benchLogger).decode(UUID.self) {
            references.append("kpis/\(id.lowercasedText)")
        }
        return references
    }

    /// The view's aggregates by hand: the measurements in force for the shown KPIs and months, summed by KPI
    /// and month and listed by segment, with the quarter's target.
    private static func serverSQL(org: UUID, kpis: [String]) -> PostgresQuery {
        """
        WITH current AS (
            SELECT DISTINCT ON (m.kpi, m.period, m.segment) m.kpi, m.period, m.segment::text AS segment, m.value
            FROM measurements m
            WHERE m.org_id = \(org) AND m.deleted_seq IS NULL AND m.kpi = ANY(\(kpis)) AND m.period = ANY(\(KPIData.readMonths))
              AND NOT EXISTS (SELECT 1 FROM measurements s WHERE s.org_id = m.org_id AND s.supersedes = 'measurements/' || m.id)
            ORDER BY m.kpi, m.period, m.segment, m.recorded_at DESC
        ), totals AS (
            SELECT kpi, period, segment, sum(value) AS value FROM current GROUP BY GROUPING SETS ((kpi, period), (kpi, period, segment))
        )
        SELECT t.kpi, t.period, t.segment, t.value, g.value, g.variance_kind, g.variance
        FROM totals t LEFT JOIN targets g ON g.org_id = \(org) AND g.deleted_seq IS NULL AND g.kpi = t.kpi AND g.segment IS NULL
            AND g.period = left(t.period, 4) || '-Q' || ((substr(t.period, 6, 2)::int + 2) / 3)
        """
    }

    /// The replica's view of the dashboard, offline, each sample followed by the same aggregates as one SQLite
    /// query on the replica's file.
    static func offlineView(_ job: Job) async throws -> JobResult {
        let url = URL(fileURLWithPath: job.file)
        try? Replica.remove(at: url)
        let replica = try Replica(at: url, organization: job.org, catalog: BenchCollection.catalog)
        defer { try? replica.close() }
        let summary = try await SyncEngine(replica: replica, transport: HTTPSyncTransport(server: job.serverURL, token: job.token, organization: job.org)).sync()
        guard summary.verified else { throw BenchError("the replica did not verify") }
        var configuration = Configuration()
        configuration.readonly = true
        let reader = try DatabaseQueue(path: url.path, configuration: configuration)
        let keys = try jsonArray(KPIData.shownKPIs.map(KPIData.key))
        let months = try jsonArray(KPIData.readMonths)
        var result = JobResult(counts: ["measurements": try replica.count(CollectionSchema.measurements.name)])
        Memory.resetPeak()
        for _ in 0..<job.count {
            var start = ContinuousClock.now
            let view = try await replica.dashboardView(dashboard)
            result.seconds.append(seconds(ContinuousClock.now - start))
            guard view.tiles.count == 12 else { throw BenchError("the view has \(view.tiles.count) tiles") }
            start = ContinuousClock.now
            let rows = try await reader.read { db in try Row.fetchAll(db, sql: sqliteSQL, arguments: [keys, months]).count }
            result.baseline.append(seconds(ContinuousClock.now - start))
            result.counts["baselineRows"] = rows
        }
        result.peakRSS = Memory.peakRSS()
        return result
    }

    private static func jsonArray(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    /// The same aggregates in SQLite, which has no DISTINCT ON: the measurements no correction supersedes.
    private static let sqliteSQL = """
        WITH current AS (
            SELECT m.kpi, m.period, m.segment, m.value FROM measurements m
            WHERE m.kpi IN (SELECT 'kpis/' || id FROM kpis WHERE key IN (SELECT value FROM json_each(?1)))
              AND m.period IN (SELECT value FROM json_each(?2))
              AND NOT EXISTS (SELECT 1 FROM measurements s WHERE s.supersedes = 'measurements/' || m.id)
        ), totals AS (
            SELECT kpi, period, NULL AS segment, sum(value) AS value FROM current GROUP BY kpi, period
            UNION ALL SELECT kpi, period, segment, value FROM current WHERE segment IS NOT NULL
        )
        SELECT t.kpi, t.period, t.segment, t.value, g.value, g.variance_kind, g.variance
        FROM totals t LEFT JOIN targets g ON g.kpi = t.kpi AND g.segment IS NULL
            AND g.period = substr(t.period, 1, 4) || '-Q' || ((CAST(substr(t.period, 6, 2) AS INTEGER) + 2) / 3)
        """
}
