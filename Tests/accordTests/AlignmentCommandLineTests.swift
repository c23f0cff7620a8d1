import AccordClient
import AccordCore
import Foundation
import Testing

@Suite("The alignment report with the accord command line", .serialized)
struct AlignmentCommandLineTests {
    struct Made: Decodable { var id: UUID }

    /// A fixed strategy written offline in the consultancy's own (empty) organization, read as of 2099-01-01
    /// without colour.
    static let expected = """
        Alignment · as of 2099-01-01

        Line of sight
        Grow EMEA (active)
          KPIs: followup_hours – no data
          ├ MQLs wait over a day: ✖ holds (30 in 2098-12)
          │ └ Speed to lead · active · moves followup_hours – no data
          └ APAC launch · not now

        Orphans
          Plays with no constraint or priority: Trade shows
          KPIs with no target: mqls
          KPIs with no definition: mqls
          Definitions in use, not approved: MQL
          Dashboards showing KPIs with no target: MBR: mqls

        Stages (1 activity aligned, 3 outcome aligned)
          ■■□ 2  strategy link
                 1 of 2 active plays trace to a priority; 1 through a constraint.
                 To raise it: Give every priority a KPI and a measurable constraint, and
                 every active play the constraint it removes.
          ■■■ 3  tradeoffs
                 1 play not now, 0 stopped; 2 of 5 active.
                 Active plays take 13 of 20 points.
          ■■□ 2  measurement
                 1 of 2 KPIs have an owner, a definition and a target this period.
                 Measured against definitions not approved: MQL.
                 Incomplete: mqls.
                 To raise it: Complete every KPI, approve the definitions they measure,
                 and keep primary KPIs' actuals current.
          ■□□ 1  operating cadence
                 No review closed in the last 100 days.
                 To raise it: Hold a monthly review and close it with a decision on
                 every item.
          ■■□ 2  cross-functional fit
                 1 SLA between 2 teams.
                 Breached in the latest period: Follow up within a day.
                 To raise it: Measure every SLA by a KPI and bring the breached ones
                 back within their threshold.
        """

    @Test func theReportRendersTheSameTextEveryTimeIn80ColumnsWithoutColour() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
        #expect(try await dana.run("use", "northwind").status == 0)
        #expect(try await dana.run("sync").status == 0)
        server.stop()

        func make(_ collection: String, _ fields: [String]) async throws -> String {
            let result = try await Accord.run(["records", collection, "new"] + fields + ["--json"], home: dana.home)
            #expect(result.status == 0, "\(collection): \(result.standardError)")
            return "\(collection)/\(try SyncCoding.decoder().decode(Made.self, from: Data(result.standardOutput.utf8)).id.lowercasedText)"
        }
        let mql = try await make("definitions", ["term=MQL", "category=lifecycle_stage"])
        let growth = try await make("priorities", ["kind=growth", "name=Grow EMEA", "owner=team:RevOps", "horizon=2099", "status=active"])
        let kpi = ["kind=leading", "tier=primary", "grain=month"]
        let hours = try await make("kpis", ["key=followup_hours", "name=MQL follow-up", "owner=team:Sales", "aggregation=average", "unit=custom", "unit_label=hours",
                              "direction=lower_is_better", "definition=\(mql)", "priority=\(growth)"] + kpi)
        _ = try await make("kpis", ["key=mqls", "name=MQLs", "owner=team:Marketing", "aggregation=sum", "cumulative=true", "unit=count", "direction=higher_is_better"] + kpi)
        #expect(try await dana.run("target", "set", "followup_hours", "2099-Q1", "24", "--variance", "2").status == 0)
        for (kpi, period, value) in [("followup_hours", "2098-11", "26"), ("followup_hours", "2098-12", "30"), ("mqls", "2098-12", "400")] {
            #expect(try await dana.run("actuals", "record", kpi, period, value).status == 0)
        }
        _ = try await make("organization_settings", ["play_capacity_per_quarter=20"])
        let slow = try await make("constraints", ["priority=\(growth)", "statement=MQLs wait over a day", "kpi=\(hours)", "direction=above", "threshold=24"])
        _ = try await make("plays", ["name=Speed to lead", "owner=team:Sales", "status=active", "capacity=5", "constraint=\(slow)", "expected_kpi=\(hours)"])
        _ = try await make("plays", ["name=Trade shows", "owner=team:Marketing", "status=active", "capacity=8", "stop_on=2098-06-30"])
        _ = try await make("plays", ["name=APAC launch", "owner=team:Marketing", "status=not_now", "rationale=After EMEA.", "priority=\(growth)"])
        _ = try await make("slas", ["name=Follow up within a day", "from_team=Marketing", "to_team=Sales", "kpi=\(hours)", "breached_when=above", "threshold=24"])
        _ = try await make("dashboards", ["name=MBR", #"tiles=[{"kind":"table","kpis":["followup_hours","mqls"]}]"#])

        let shown = try await Accord.runOnTerminal(["alignment", "--as-of", "2099-01-01"], home: dana.home, columns: 80)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput == Self.expected + "\n", "\n\(shown.standardOutput)")
        let report = try await dana.json(AlignmentReport.self, "alignment", "--as-of", "2099-01-01")
        #expect(report.stages.map(\.stage) == [2, 3, 2, 1, 2])
    }
}
