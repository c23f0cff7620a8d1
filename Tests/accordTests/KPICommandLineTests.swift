import AccordClient
import AccordCore
import Foundation
import Testing

@Suite("The KPI spine with the accord command line", .serialized)
struct KPICommandLineTests {
    /// A small fixed data set, written offline, and the dashboard over it as a person reads it without colour.
    static let expected = """
        Layout check · 2026-Q3 · as of 2099-01-01

        Inbound leads
          870 of 900  -3%  ! at risk
          ███████████████████████████████████████│  expected 900 by now
          forecast 870: ! at risk

        Leads by region
        SEGMENT   ACTUAL  TARGET  VAR  STATUS
        Americas  540     —            – no target
        EMEA      330     —            – no target

        Demos booked
            ▄  2026-Q1 → 2026-Q3
        PERIOD   ACTUAL  TARGET  STATUS
        2026-Q1  —       —       – no target
        2026-Q2  —       —       – no target
        2026-Q3  125     150     ✖ off track

        Funnel
        KPI             ACTUAL  TARGET  VAR   STATUS
        Inbound leads   870     900     -3%   ! at risk
        Demos booked    125     150     -17%  ✖ off track
        Lead→demo rate  14.4%   20.0%   -28%  ✖ off track
        """

    @Test func aDashboardRendersTheSameTextEveryTimeIn80ColumnsWithoutColour() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
        #expect(try await dana.run("use", "acme").status == 0)
        #expect(try await dana.run("sync").status == 0)
        server.stop()

        let kpi = ["owner=team:Marketing", "kind=leading", "tier=primary", "direction=higher_is_better", "grain=month", "unit=count"]
        #expect(try await Accord.run(["records", "kpis", "new", "key=leads", "name=Inbound leads", "aggregation=sum", "cumulative=true"] + kpi, home: dana.home).status == 0)
        #expect(try await Accord.run(["records", "kpis", "new", "key=demos", "name=Demos booked", "aggregation=sum", "cumulative=true"] + kpi, home: dana.home).status == 0)
        #expect(try await Accord.run(["records", "kpis", "new", "key=lead_to_demo", "name=Lead→demo rate", "aggregation=ratio", "numerator=demos", "denominator=leads"] + kpi.map { $0 == "unit=count" ? "unit=percent" : $0 }, home: dana.home).status == 0)
        #expect(try await dana.run("target", "set", "leads", "2026-Q3", "900", "--variance", "10%").status == 0)
        #expect(try await dana.run("target", "set", "demos", "2026-Q3", "150", "--variance", "20").status == 0)
        #expect(try await dana.run("target", "set", "lead_to_demo", "2026-Q3", "0.2", "--variance", "0.02").status == 0)
        for (month, emea, americas, demos) in [("2026-07", "120", "180", "40"), ("2026-08", "60", "170", "35"), ("2026-09", "130", "190", "50")] {
            #expect(try await dana.run("actuals", "record", "leads", month, emea, "--segment", "region=EMEA").status == 0)
            #expect(try await dana.run("actuals", "record", "leads", month, americas, "--segment", "region=Americas").status == 0)
            #expect(try await dana.run("actuals", "record", "demos", month, demos).status == 0)
        }
        let corrected = try await dana.run("actuals", "record", "leads", "2026-08", "80", "--segment", "region=EMEA")
        #expect(corrected.status == 0, "a second value corrects the first: \(corrected.standardError)")
        let tiles = #"[{"kind":"number","kpi":"leads"},{"kind":"segments","kpi":"leads","dimension":"region","title":"Leads by region"},"# +
            #"{"kind":"trend","kpi":"demos","periods":3},{"kind":"table","kpis":["leads","demos","lead_to_demo"],"title":"Funnel"}]"#
        #expect(try await dana.run("records", "dashboards", "new", "name=Layout check", "period=2026-Q3", "tiles=\(tiles)").status == 0)

        let shown = try await Accord.runOnTerminal(["dashboard", "layout check", "--as-of", "2099-01-01"], home: dana.home, columns: 80)
        #expect(shown.status == 0)
        #expect(shown.standardOutput == Self.expected + "\n", "\n\(shown.standardOutput)")
        let view = try await dana.json(DashboardView.self, "dashboard", "Layout check", "--as-of", "2099-01-01")
        #expect(view.tiles.first?.rows.first?.reading.actual == 870 && view.period == "2026-Q3")
        let july = try await dana.json(DashboardView.self, "dashboard", "Layout check", "--period", "2026-07", "--as-of", "2099-01-01")
        #expect(july.tiles.first?.rows.first?.reading.target == 900.0 * 31 / 92, "a month takes its days' share of the quarter")

        let pending = try await dana.json(StatusOutput.self, "status").status.pending
        let file = workspace.directory.appendingPathComponent("actuals.csv")
        try "kpi,period,value,segment\nleads,2026-10,200,region=EMEA\ncalls,2026-10,5,\nleads,2026-10,oops,\n".write(to: file, atomically: true, encoding: .utf8)
        let refused = try await dana.run("actuals", "import", file.path)
        #expect(refused.status == 1 && refused.standardError.contains("line 3: unknown KPI 'calls'") && refused.standardError.contains("line 4: value 'oops' is not a number"), "\(refused)")
        #expect(try await dana.json(StatusOutput.self, "status").status.pending == pending, "nothing was queued")
        try "kpi,period,value,segment\nleads,2026-10,200,region=EMEA\nleads,2026-09,130,region=EMEA\ndemos,2026-10,44,\n".write(to: file, atomically: true, encoding: .utf8)
        let imported = try await dana.run("actuals", "import", file.path)
        #expect(imported.status == 0 && imported.standardOutput.contains("2 new, 0 corrected, 1 unchanged"), "\(imported)")
    }
}
