import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("Dashboards computed by the server and offline", .timeLimit(.minutes(5)))
struct DashboardParityTests {
    static func kpi(_ key: String, _ name: String, aggregation: String = "sum", unit: String = "count", parts: (String, String)? = nil) -> RecordFields {
        var fields: RecordFields = [
            "key": .text(key), "name": .text(name), "owner": .text("team:Marketing"), "aggregation": .text(aggregation), "unit": .text(unit),
            "kind": .text("leading"), "tier": .text("primary"), "direction": .text("higher_is_better"), "grain": .text("month"),
            "cumulative": .bool(aggregation == "sum"),
        ]
        if let parts { fields["numerator"] = .text(parts.0); fields["denominator"] = .text(parts.1) }
        return fields
    }

    @Test func theServersViewAndTheReplicasAreTheSameJSON() async throws {
        try await LiveServer.with { live in
            let (token, owner) = try await live.signup("olu@example.com")
            let org = try await live.createOrganization("acme", token: token)
            let side = try TestReplica(live, token: token, org: org.id, actor: RuleActor(userID: owner.id, role: .owner))
            defer { side.remove() }
            try await side.sync()
            let replica = side.replica
            let mqls = try await replica.create("kpis", Self.kpi("mqls", "MQLs")).id
            let sqls = try await replica.create("kpis", Self.kpi("sqls", "SQLs")).id
            try await replica.create("kpis", Self.kpi("mql_to_sql", "MQL→SQL", aggregation: "ratio", unit: "percent", parts: ("sqls", "mqls")))
            try await replica.create("targets", ["kpi": .reference("kpis", mqls), "period": .text("2026-Q3"), "value": .double(900), "variance_kind": .text("percent"), "variance": .double(10)])
            try await replica.create("targets", ["kpi": .reference("kpis", sqls), "period": .text("2026-09"), "value": .double(80), "variance_kind": .text("absolute"), "variance": .double(10)])
            var dip: UUID?
            for (month, emea, americas) in [("2026-07", 140.0, 170.0), ("2026-08", 90.0, 160.0), ("2026-09", 150.0, 180.0)] {
                for (region, value) in [("EMEA", emea), ("Americas", americas)] {
                    let written = try await replica.create("measurements", ["kpi": .reference("kpis", mqls), "period": .text(month), "segment": .text(#"{"region":"\#(region)"}"#), "value": .double(value)])
                    if month == "2026-08" && region == "EMEA" { dip = written.id }
                }
                try await replica.create("measurements", ["kpi": .reference("kpis", sqls), "period": .text(month), "value": .double(emea / 4)])
            }
            let dipID = try #require(dip)
            try await replica.create("notes", ["title": .text("Lyon trade show cancelled"), "subject": .reference("measurements", dipID)])
            try await replica.create("measurements", ["kpi": .reference("kpis", mqls), "period": .text("2026-08"), "segment": .text(#"{"region":"EMEA"}"#), "value": .double(95), "supersedes": .reference("measurements", dipID)])
            let tiles = [
                TileSpec(kind: .number, kpi: "mqls"), TileSpec(kind: .trend, kpi: "mqls", periods: 4), TileSpec(kind: .segments, kpi: "mqls", dimension: "region"),
                TileSpec(kind: .pacing, kpi: "mqls"), TileSpec(kind: .table, kpis: ["mqls", "sqls", "mql_to_sql"], title: "Funnel"),
            ]
            let text = String(decoding: try JSONEncoder().encode(tiles), as: UTF8.self)
            #expect(try await replica.create("dashboards", ["name": .text("Pipeline review"), "period": .text("2026-Q3"), "tiles": .text(text)]).warning == nil)
            let pushed = try await side.sync()
            let rejections = try replica.rejections()
            #expect(pushed.rejected == 0, "\(rejections)")

            // Measurements count from when the server recorded them, so the view is read from after that.
            let asOf = try #require(FieldSchema.parseTime("2099-01-01T00:00:00Z"))
            let local = try await replica.dashboardView("pipeline review", asOf: asOf)
            let answer = try await live.answer("GET", "v1/orgs/acme/dashboards/pipeline review/view?as_of=2099-01-01T00:00:00Z", token: token, json: "")
            #expect(answer.status == 200, "\(answer.body)")
            let fromServer = try SyncCoding.decoder().decode(DashboardView.self, from: Data(answer.body.utf8))
            let encoder = SyncCoding.encoder()
            #expect(String(decoding: try encoder.encode(fromServer), as: UTF8.self) == String(decoding: try encoder.encode(local), as: UTF8.self))

            let number = try #require(local.tiles.first?.rows.first?.reading)
            #expect(number.actual == 895 && number.target == 900 && number.status == .atRisk, "Q3 with the corrected August (95, not 90), inside ±10%")
            let funnel = try #require(local.tiles.last?.rows.last?.reading)
            let sqlsInQ3: Double = (140 + 90 + 150) / 4
            #expect(funnel.actual == sqlsInQ3 / 895, "the ratio divides the sums, never averages the months' ratios")
            #expect(local.tiles[1].annotations?.map(\.text) == ["Lyon trade show cancelled"])
            #expect(local.tiles[2].segments?.map(\.segment) == [#"{"region":"Americas"}"#, #"{"region":"EMEA"}"#])
            let september = try await replica.dashboardView("pipeline review", period: "2026-09", asOf: asOf)
            #expect(september.tiles.last?.rows[1].reading.status == .offTrack, "37.5 SQLs against 80 ± 10")
            let july = try await replica.dashboardView("pipeline review", period: "2026-07", asOf: asOf)
            #expect(july.tiles[1].annotations?.isEmpty == true && september.tiles[1].annotations?.count == 1, "a trend shows the notes of the periods it shows")
            // A view reads only its KPIs' measurements in the periods it shows; the whole spine must agree.
            let whole = try await replica.kpiSpine(asOf: asOf)
            let fields = try #require(try replica.records("dashboards").first?.fields)
            for period in ["2026-Q3", "2026-09", "2026-07", "2025"] {
                let scoped = try await replica.dashboardView("pipeline review", period: period, asOf: asOf)
                #expect(try encoder.encode(scoped) == encoder.encode(DashboardView.compute(fields, spine: whole, period: period)), "\(period)")
            }
            let before = try await replica.dashboardView("pipeline review", asOf: try #require(FieldSchema.parseTime("2020-01-01T00:00:00Z")))
            #expect(before.tiles.first?.rows.first?.reading.status == .noData, "as of 2020 nothing had been recorded")
        }
    }
}
