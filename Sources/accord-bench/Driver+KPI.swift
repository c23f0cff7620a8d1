import AccordCore
import Foundation

/// The KPI spine's scenarios: a nightly bulk import, and a dashboard view on the server and offline.
extension Driver {
    func importMeasurements() async throws -> ScenarioResult {
        let data = KPIData.sized(rows: sizes.importRows, kpis: sizes.dashboardKPIs)
        let file = work.appendingPathComponent("import.csv")
        try data.writeCSV(to: file)
        var accord: [JobResult] = [], baseline: [JobResult] = []
        let serverRSS = try await withServer { server in
            let api = BenchAPI(server: server)
            for repetition in 1...sizes.repetitions {
                // Each import goes to an organization of its own, so each creates every row.
                let org = try await api.createOrganization("bench-import-\(repetition)", token: token)
                try await createKPIs(data, org: org, api: api)
                accord.append(try await runJob(Job(kind: .importFile, server: server.absoluteString, token: token, orgs: [org], file: file.path, count: data.rows)))
                say("    Accord \(repetition)/\(sizes.repetitions): \(Report.rate(Double(data.rows) / accord.last!.seconds[0]))")
                var job = copyJob(.importBaseline, org: org, file: file.path)
                job.count = data.rows
                baseline.append(try await runJob(job))
                say("    baseline \(repetition)/\(sizes.repetitions): \(Report.rate(Double(data.rows) / baseline.last!.seconds[0]))")
            }
        }
        var result = ScenarioResult.throughput(
            key: "import", title: "import (\(Report.count(data.rows)) rows)", operations: data.rows, accord: accord, baseline: baseline,
            goalRatio: 0.5, serverRSS: serverRSS,
            notes: [
                "A \(Report.megabytes(fileSize(file))) MB CSV of \(data.kpis) KPIs × \(data.years * 12) months × \(data.segments) segments, streamed "
                    + "to POST /measurements/import until it answered (every row checked, recorded and logged); the baseline is psql's "
                    + "\\copy of the same file into a plain table.",
            ]
        )
        result.goal += ", server ≤ 200 MB"
        result.met = result.met && serverRSS <= 200 << 20
        return result
    }

    func dashboardView(offline: Bool) async throws -> ScenarioResult {
        let data = KPIData(kpis: sizes.dashboardKPIs, years: 5, segments: sizes.dashboardSegments)
        let org = try await dashboardOrganization(data)
        var result = JobResult()
        let serverRSS = try await withServer { server in
            var job = Job(
                kind: offline ? .offlineView : .serverView, server: server.absoluteString, token: token, orgs: [org],
                file: work.appendingPathComponent("dashboard.sqlite").path, count: sizes.viewSamples
            )
            job.databaseURL = ownerURL
            result = try await runJob(job)
        }
        let title = offline ? "dashboard view, offline" : "dashboard view, server"
        var scenario = ScenarioResult.latency(key: offline ? "dashboard-offline" : "dashboard", title: title, result: result, goal: .ratio(2), serverRSS: serverRSS)
        // The goal is for the median; a query of a few milliseconds has a tail that says more about the machine.
        scenario.goal = "p50 ≤ 2×"
        scenario.met = (scenario.ratio ?? .infinity) <= 2
        let (a, b) = (scenario.accord, scenario.baseline ?? scenario.accord)
        scenario.notes = [
            "12 tiles over \(data.kpis + 1) KPIs × \(data.years) years of months × \(data.segments) segments (\(Report.count(data.rows)) measurements); "
                + "\(a.count) samples: p50 \(Report.millis(a.median)), p99 \(Report.millis(a.p99)); "
                + (offline ? "one SQLite query on the replica" : "one SQL query of the same aggregates")
                + " p50 \(Report.millis(b.median)), p99 \(Report.millis(b.p99)).",
        ]
        return scenario
    }

    /// The organization behind the dashboard scenarios, seeded once through the API: KPIs, quarterly targets,
    /// the dashboard, and the actuals by import.
    private func dashboardOrganization(_ data: KPIData) async throws -> UUID {
        if let seeded = orgs["bench-dashboard"] { return seeded }
        let file = work.appendingPathComponent("dashboard.csv")
        try data.writeCSV(to: file, seed: 5)
        var org = UUID()
        _ = try await withServer { server in
            let api = BenchAPI(server: server)
            org = try await api.createOrganization("bench-dashboard", token: token)
            let kpis = try await createKPIs(data, org: org, api: api)
            say("    seeding: targets for \(KPIData.shownKPIs.count) KPIs, the dashboard, \(Report.count(data.rows)) actuals")
            for index in KPIData.shownKPIs where index <= data.kpis {
                for target in data.targets(kpi: kpis[index - 1]) { _ = try await api.create(CollectionSchema.targets.name, target, org: org, token: token) }
            }
            _ = try await api.create(CollectionSchema.dashboards.name, data.dashboard, org: org, token: token)
            let report = try await api.importMeasurements(file, org: org, token: token)
            guard report.created == data.rows else { throw BenchError("seeding imported \(report.created) of \(data.rows) actuals") }
        }
        orgs["bench-dashboard"] = org
        return org
    }

    /// The data set's KPIs and its ratio, in key order.
    @discardableResult
    private func createKPIs(_ data: KPIData, org: UUID, api: BenchAPI) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 1...data.kpis { ids.append(try await api.create(CollectionSchema.kpis.name, data.kpiFields(index), org: org, token: token)) }
        _ = try await api.create(CollectionSchema.kpis.name, data.ratioFields, org: org, token: token)
        return ids
    }

    private func fileSize(_ url: URL) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }
}

extension Driver {
    /// Every kind of web page, signed in as the demo's consultant; the goal is absolute: each page's median
    /// under 100 ms and its HTML under 200 KB.
    func webPages() async throws -> ScenarioResult {
        var result = JobResult()
        let samples = sizes.pageSamples
        let serverRSS = try await withServer(seedDemo: true) { server in
            result = try await runJob(Job(kind: .webPages, server: server.absoluteString, token: token, count: samples))
        }
        var medians: [(name: String, millis: Double)] = []
        var weights: [(name: String, bytes: Int)] = []
        for (key, value) in result.counts {
            if key.hasPrefix("p50us:") { medians.append((String(key.dropFirst(6)), Double(value) / 1000)) }
            if key.hasPrefix("bytes:") { weights.append((String(key.dropFirst(6)), value)) }
        }
        medians.sort { $0.millis > $1.millis }
        weights.sort { $0.bytes > $1.bytes }
        var scenario = ScenarioResult.latency(key: "web", title: "web pages (\(medians.count) kinds)", result: result, goal: .ratio(2), serverRSS: serverRSS)
        scenario.goal = "each page p50 ≤ 100 ms, ≤ 200 KB"
        scenario.met = (medians.first?.millis ?? 0) <= 100 && (weights.first?.bytes ?? 0) <= 200 << 10
        let perPage: [String] = medians.map { "\($0.name) \(Report.millis($0.millis))" }
        let perSize: [String] = weights.map { "\($0.name) \($0.bytes / 1024) KB" }
        scenario.notes = [
            "Per page p50: " + perPage.joined(separator: ", ") + ".",
            "HTML sizes: " + perSize.joined(separator: ", ") + "; the stylesheet and script add under 20 KB, cached.",
            "The baseline is the API's JSON of the same content (the pages that have one): p50 \(Report.millis(scenario.baseline?.median ?? 0)).",
        ]
        return scenario
    }
}
