import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("The strategy board computed by the server and offline", .timeLimit(.minutes(5)))
struct StrategyParityTests {
    @Test func theServersBoardAndTheReplicasAreTheSameJSON() async throws {
        try await LiveServer.with { live in
            let (token, owner) = try await live.signup("olu@example.com")
            let org = try await live.createOrganization("acme", token: token)
            let side = try TestReplica(live, token: token, org: org.id, actor: RuleActor(userID: owner.id, role: .owner))
            defer { side.remove() }
            try await side.sync()
            let replica = side.replica
            // The last three months, whose numbers the server records now.
            let month = Period.containing(Int64((Date().timeIntervalSince1970 / 86_400).rounded(.down)), grain: .month)
            let months = (0..<3).map { month.shifted(by: $0).description }
            var hours = DashboardParityTests.kpi("followup_hours", "MQL follow-up", aggregation: "average", unit: "custom")
            hours["direction"] = .text("lower_is_better")
            let followUp = try await replica.create("kpis", hours).id
            let mqls = try await replica.create("kpis", DashboardParityTests.kpi("mqls", "MQLs")).id
            for (index, period) in months.enumerated() {
                try await replica.create("measurements", ["kpi": .reference("kpis", followUp), "period": .text(period), "value": .double(30 - Double(index) * 4)])
                for (region, value) in [("EMEA", 120.0 + Double(index)), ("Americas", 200.0)] {
                    try await replica.create("measurements", ["kpi": .reference("kpis", mqls), "period": .text(period), "segment": .text(#"{"region":"\#(region)"}"#), "value": .double(value)])
                }
            }
            let growth = try await replica.create("priorities", ["kind": .text("growth"), "name": .text("Grow EMEA"), "owner": .text("team:RevOps"), "horizon": .text(month.description)]).id
            try await replica.update("kpis", mqls, ["priority": .reference("priorities", growth)])
            let slow = try await replica.create("constraints", [
                "priority": .reference("priorities", growth), "statement": .text("MQLs wait over a day"), "kpi": .reference("kpis", followUp),
                "direction": .text("above"), "threshold": .double(24),
            ]).id
            try await replica.create("constraints", [
                "priority": .reference("priorities", growth), "statement": .text("EMEA MQLs below 150"), "kpi": .reference("kpis", mqls),
                "segment": .text(#"{"region":"EMEA"}"#), "direction": .text("below"), "threshold": .double(150),
            ])
            try await replica.create("plays", [
                "name": .text("Speed to lead"), "owner": .text("team:Sales"), "constraint": .reference("constraints", slow), "status": .text("active"),
                "capacity": .int(5), "stop_kpi": .reference("kpis", followUp), "stop_when": .text("above"), "stop_threshold": .double(25),
            ])
            try await replica.create("plays", ["name": .text("Trade shows"), "owner": .text("team:Marketing"), "status": .text("active"), "capacity": .int(8), "stop_on": .text("2020-01-01")])
            try await replica.create("plays", ["name": .text("APAC launch"), "owner": .text("team:Marketing"), "status": .text("not_now"), "rationale": .text("After EMEA.")])
            try await replica.create("slas", [
                "name": .text("Follow up within 24 hours"), "from_team": .text("Marketing"), "to_team": .text("Sales"), "kpi": .reference("kpis", followUp),
                "breached_when": .text("above"), "threshold": .double(24),
            ])
            let pushed = try await side.sync()
            let rejections = try replica.rejections()
            #expect(pushed.rejected == 0, "\(rejections)")

            let asOf = Date().addingTimeInterval(60)
            let stamp = FieldSchema.canonicalTime(asOf)
            let local = try await replica.strategyBoard(asOf: asOf)
            let answer = try await live.answer("GET", "v1/orgs/acme/strategy?as_of=\(stamp)", token: token, json: "")
            #expect(answer.status == 200, "\(answer.body)")
            let fromServer = try SyncCoding.decoder().decode(StrategyBoard.self, from: Data(answer.body.utf8))
            let encoder = SyncCoding.encoder()
            #expect(String(decoding: try encoder.encode(fromServer), as: UTF8.self) == String(decoding: try encoder.encode(local), as: UTF8.self))
            let report = try await live.answer("GET", "v1/orgs/acme/alignment?as_of=\(stamp)", token: token, json: "")
            #expect(report.status == 200, "\(report.body)")
            let serverReport = try SyncCoding.decoder().decode(AlignmentReport.self, from: Data(report.body.utf8))
            let localReport = try await replica.alignment(asOf: asOf)
            #expect(String(decoding: try encoder.encode(serverReport), as: UTF8.self) == String(decoding: try encoder.encode(localReport), as: UTF8.self))
            #expect(localReport.orphans.kpisWithoutDefinition == ["followup_hours", "mqls"] && localReport.orphans.plays == ["APAC launch", "Trade shows"])
            // And what they agree on is what the data says.
            #expect(local.capacity == StrategyBoard.Capacity(active: 2, limit: 5, points: 13, budget: nil))
            #expect(local.plays.map(\.pastStop) == ["followup_hours is above 25: 30 in \(months[0])", "past its stop date 2020-01-01", nil])
            #expect(local.constraints.map(\.reading.state) == [.holds, .holds], "EMEA's last complete month had 121, and follow-up runs at 30 hours")
            #expect(local.slas.first?.breaches.map(\.period) == [months[0], months[1]], "30 and 26 hours breach; 22 does not")
            #expect(local.priorities.first?.kpis == ["mqls"])
        }
    }

    @Test func thePortfolioIsTheSameFromTheServerAndFromTheReplica() async throws {
        try await LiveServer.with { live in
            let (token, owner) = try await live.signup("olu@example.com")
            let org = try await live.createOrganization("acme", token: token)
            _ = try await live.createOrganization("quiet", token: token)
            let side = try TestReplica(live, token: token, org: org.id, actor: RuleActor(userID: owner.id, role: .owner))
            defer { side.remove() }
            try await side.sync()
            let replica = side.replica
            let month = Period.containing(Int64((Date().timeIntervalSince1970 / 86_400).rounded(.down)), grain: .month).description
            var rate = DashboardParityTests.kpi("win_rate", "Win rate", aggregation: "average", unit: "percent")
            rate["cumulative"] = .bool(false)
            let winRate = try await replica.create("kpis", rate).id
            let hours = try await replica.create("kpis", DashboardParityTests.kpi("calls", "Calls", aggregation: "average")).id
            try await replica.create("kpis", DashboardParityTests.kpi("untargeted", "Untargeted"))
            for (kpi, target, actual) in [(winRate, 0.3, 0.2), (hours, 10.0, 10.0)] {
                try await replica.create("targets", ["kpi": .reference("kpis", kpi), "period": .text(month), "value": .double(target), "variance_kind": .text("percent"), "variance": .double(5)])
                try await replica.create("measurements", ["kpi": .reference("kpis", kpi), "period": .text(month), "value": .double(actual)])
            }
            let pushed = try await side.sync()
            let rejections = try replica.rejections()
            #expect(pushed.rejected == 0, "\(rejections)")
            #expect(try await live.answer("POST", "v1/orgs/acme/reviews", token: token, json: #"{"cadence": "monthly"}"#).status == 201)
            try await side.sync()

            let answer = try await live.answer("GET", "v1/me/portfolio", token: token, json: "")
            #expect(answer.status == 200, "\(answer.body)")
            let entries = try SyncCoding.decoder().decode([PortfolioEntry].self, from: Data(answer.body.utf8))
            #expect(entries.map(\.slug) == ["acme", "quiet"], "every membership, by name")
            let fromServer = try #require(entries.first).standing
            let local = try await replica.standing()
            let encoder = SyncCoding.encoder()
            #expect(String(decoding: try encoder.encode(fromServer), as: UTF8.self) == String(decoding: try encoder.encode(local), as: UTF8.self))
            // And what they agree on is what the data says.
            #expect(local.attention.map(\.key) == ["win_rate"] && local.offTrack == 1)
            #expect(local.onTrack == 1 && local.judged == 2 && local.kpis == 3, "a KPI without a target is not judged")
            #expect(local.openReviews.count == 1)
            #expect(entries[1].standing.kpis == 0 && entries[1].standing.attention.isEmpty)
        }
    }
}
