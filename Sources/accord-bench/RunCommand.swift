import ArgumentParser
import Foundation

/// Runs every scenario against a server and client processes of this binary, and writes the results.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the scenarios and write bench/results (scripts/bench starts PostgreSQL and calls this)."
    )

    @Flag(help: "Tiny sizes, to check that the harness works (CI).")
    var smoke = false

    @Option(help: "Rows in the organization that a new replica syncs (initial sync, idle sync).")
    var rows: Int?

    @Option(help: "Changes made while a replica was offline (catch-up).")
    var changes: Int?

    @Option(help: "Mutations pushed by one client, and by all clients together in the concurrent push.")
    var pushMutations: Int?

    @Option(help: "Clients pushing at once, across --push-orgs organizations.")
    var pushClients = 8

    @Option(help: "Organizations the concurrent clients push to.")
    var pushOrgs = 4

    @Option(help: "Propagation samples.")
    var samples: Int?

    @Option(help: "Idle sync samples.")
    var idleSamples: Int?

    @Option(help: "Realtime streams held open in the fan-out.")
    var connections: Int?

    @Option(help: "Measurements in the file the import scenario sends.")
    var importRows: Int?

    @Option(help: "Measured KPIs behind the dashboard scenarios (each has five years of months).")
    var dashboardKPIs: Int?

    @Option(help: "Segments each dashboard KPI is measured in.")
    var dashboardSegments: Int?

    @Option(help: "Dashboard view samples.")
    var viewSamples: Int?

    @Option(help: "Samples of each web page.")
    var pageSamples: Int?

    @Option(help: "Repetitions of each timed scenario.")
    var repetitions: Int?

    @Option(help: "Only these scenarios, comma-separated: initial, idle, propagation, push, catch-up, fan-out, import, dashboard, dashboard-offline, web.")
    var only: String?

    @Option(help: "Where to write the results (default bench/results; .build/bench-smoke with --smoke).")
    var output: String?

    @Option(help: "A PostgreSQL superuser URL (default: ACCORD_TEST_DATABASE_URL, which scripts/bench sets).")
    var databaseURL: String?

    @Option(help: "psql, for the COPY baselines (default: ACCORD_BENCH_PSQL, else psql on PATH).")
    var psql: String?

    func run() async throws {
        raiseFileLimit()
        let environment = ProcessInfo.processInfo.environment
        guard let cluster = databaseURL ?? environment["ACCORD_TEST_DATABASE_URL"] else {
            throw ValidationError("No PostgreSQL: run scripts/bench, which starts one, or pass --database-url")
        }
        let sizes = Sizes(
            rows: rows ?? (smoke ? 300 : 100_000),
            changes: changes ?? (smoke ? 300 : 100_000),
            pushMutations: pushMutations ?? (smoke ? 200 : 10_000),
            pushClients: pushClients,
            pushOrgs: pushOrgs,
            samples: samples ?? (smoke ? 20 : 1_000),
            idleSamples: idleSamples ?? (smoke ? 20 : 1_000),
            connections: connections ?? (smoke ? 50 : 10_000),
            repetitions: repetitions ?? (smoke ? 2 : 3),
            importRows: importRows ?? (smoke ? 2_000 : 1_000_000),
            dashboardKPIs: dashboardKPIs ?? (smoke ? 20 : 200),
            dashboardSegments: dashboardSegments ?? (smoke ? 2 : 10),
            viewSamples: viewSamples ?? (smoke ? 5 : 200), pageSamples: pageSamples ?? (smoke ? 3 : 50)
        )
        let scenarios = only.map { Set($0.split(separator: ",").map(String.init)) } ?? Set(Scenario.allCases.map(\.rawValue))
        let unknown = scenarios.subtracting(Scenario.allCases.map(\.rawValue))
        guard unknown.isEmpty else { throw ValidationError("Unknown scenarios: \(unknown.sorted().joined(separator: ", "))") }
        let driver = try Driver(
            cluster: cluster, psql: psql ?? environment["ACCORD_BENCH_PSQL"] ?? "psql", sizes: sizes, smoke: smoke,
            scenarios: Scenario.allCases.filter { scenarios.contains($0.rawValue) }
        )
        let results = try await driver.runAll()
        let report = Report(sizes: sizes, smoke: smoke, results: results, command: (["scripts/bench"] + CommandLine.arguments.dropFirst(1).filter { $0 != "run" }).joined(separator: " "))
        print(report.terminalTable())
        let directory = output ?? (smoke ? ".build/bench-smoke" : "bench/results")
        let written = try report.write(to: URL(fileURLWithPath: directory))
        print("Results:")
        for url in written { print("  \(directory)/\(url.lastPathComponent)") }
    }
}

struct Sizes: Codable, Sendable {
    var rows: Int
    var changes: Int
    var pushMutations: Int
    var pushClients: Int
    var pushOrgs: Int
    var samples: Int
    var idleSamples: Int
    var connections: Int
    var repetitions: Int
    var importRows: Int
    var dashboardKPIs: Int
    var dashboardSegments: Int
    var viewSamples: Int
    var pageSamples: Int
}

enum Scenario: String, CaseIterable, Sendable {
    case initial, idle, propagation, push, catchUp = "catch-up", fanOut = "fan-out", `import`, dashboard, dashboardOffline = "dashboard-offline", web
}
