import AccordCore
import Foundation
import Testing

/// Fixed data sets, one per stage, graded as of mid-November 2026.
@Suite("The alignment report, graded from data")
struct AlignmentReportTests {
    struct Org {
        var records: [String: [UUID: RecordFields]] = [:]

        @discardableResult
        mutating func add(_ collection: String, _ fields: RecordFields) -> UUID {
            let id = UUID()
            records[collection, default: [:]][id] = fields
            return id
        }

        mutating func kpi(_ key: String, definition: UUID? = nil, priority: UUID? = nil) -> UUID {
            var fields: RecordFields = [
                "key": .text(key), "name": .text(key), "owner": .text("team:RevOps"), "aggregation": .text("average"), "unit": .text("count"),
                "direction": .text("lower_is_better"), "grain": .text("month"), "tier": .text("primary"),
            ]
            if let definition { fields["definition"] = .reference("definitions", definition) }
            if let priority { fields["priority"] = .reference("priorities", priority) }
            return add("kpis", fields)
        }

        func report() async throws -> AlignmentReport {
            let records = records
            let load: (String) -> [UUID: RecordFields] = { records[$0] ?? [:] }
            let spine = await KPISpine(asOf: try #require(FieldSchema.parseTime("2026-11-16T00:00:00Z")), load: load)
            return await AlignmentReport.compute(spine: spine, board: await StrategyBoard.compute(spine: spine, load: load), load: load)
        }
    }

    static func stages(_ report: AlignmentReport) -> [DimensionStage.Dimension: Int] {
        Dictionary(uniqueKeysWithValues: report.stages.map { ($0.dimension, $0.stage) })
    }

    @Test func stageOneIsActivityWithoutAStrategyBehindIt() async throws {
        var org = Org()
        _ = org.kpi("mqls")
        org.add("plays", ["name": .text("Loose play"), "owner": .text("team:Marketing"), "status": .text("active")])
        let report = try await org.report()
        #expect(Self.stages(report) == [.strategyLink: 1, .tradeoffs: 1, .measurement: 1, .operatingCadence: 1, .crossFunctionalFit: 1])
        #expect(report.orphans.plays == ["Loose play"] && report.orphans.kpisWithoutTarget == ["mqls"] && report.orphans.kpisWithoutDefinition == ["mqls"])
        #expect(report.stages.allSatisfy { $0.toRaise != nil && !$0.reasons.isEmpty }, "each stage says why and what would raise it")
        #expect(report.stages.first { $0.dimension == .operatingCadence }?.reasons == ["No review closed in the last 100 days."])
    }

    @Test func stageTwoHasTheStructureButNotTheDiscipline() async throws {
        var org = Org()
        let mql = org.add("definitions", ["term": .text("MQL"), "category": .text("lifecycle_stage")])
        let growth = org.add("priorities", ["kind": .text("growth"), "name": .text("Grow"), "owner": .text("team:RevOps"), "status": .text("active")])
        let hours = org.kpi("followup_hours", definition: mql, priority: growth)
        _ = org.kpi("win_rate")
        org.add("targets", ["kpi": .reference("kpis", hours), "period": .text("2026-Q4"), "value": .double(24)])
        org.add("measurements", ["kpi": .reference("kpis", hours), "period": .text("2026-11"), "value": .double(30), "recorded_at": .text("2026-11-10T00:00:00.000Z")])
        let slow = org.add("constraints", [
            "priority": .reference("priorities", growth), "statement": .text("Slow follow-up"), "kpi": .reference("kpis", hours),
            "direction": .text("above"), "threshold": .double(24),
        ])
        org.add("plays", ["name": .text("Routing"), "owner": .text("team:Sales"), "status": .text("active"), "constraint": .reference("constraints", slow)])
        org.add("plays", ["name": .text("Events"), "owner": .text("team:Marketing"), "status": .text("active"), "priority": .reference("priorities", growth)])
        org.add("plays", ["name": .text("APAC"), "owner": .text("team:Marketing"), "status": .text("not_now"), "rationale": .text("Later.")])
        org.add("dashboards", ["name": .text("MBR"), "tiles": .text(#"[{"kind":"table","kpis":["followup_hours","win_rate"]}]"#)])
        org.add("slas", ["name": .text("Hand over every MQL"), "from_team": .text("Marketing"), "to_team": .text("Sales")])
        let review = org.add("reviews", ["cadence": .text("monthly"), "period": .text("2026-10"), "status": .text("closed"), "closed_at": .text("2026-11-05T00:00:00.000Z")])
        org.add("review_items", ["review": .reference("reviews", review), "kind": .text("kpi"), "subject": .reference("kpis", hours), "title": .text("Slow"), "outcome": .text("hold"), "decision": .reference("decisions", UUID())])
        let report = try await org.report()
        #expect(Self.stages(report) == [.strategyLink: 2, .tradeoffs: 2, .measurement: 2, .operatingCadence: 2, .crossFunctionalFit: 2])
        let cadence = try #require(report.stages.first { $0.dimension == .operatingCadence })
        #expect(cadence.reasons.last == "1 of the last 1 closed without a resource shift (no item acted on or stopped).")
        #expect(report.stages.first { $0.dimension == .strategyLink }?.reasons.first == "2 of 2 active plays trace to a priority; 1 through a constraint.")
        #expect(report.orphans.definitionsNotApproved == ["MQL"], "a definition with no approved version")
        #expect(report.orphans.dashboardKPIsWithoutTarget == ["MBR: win_rate"] && report.orphans.slasWithoutKPI == ["Hand over every MQL"])
        #expect(report.lineOfSight.first?.constraints.first?.plays.map(\.name) == ["Routing"] && report.lineOfSight.first?.plays.map(\.name) == ["Events"])
        #expect(report.lineOfSight.first?.kpis.map(\.status) == [.offTrack])
    }

    @Test func stageThreeIsOutcomesTracedMeasuredAndActedOn() async throws {
        var org = Org()
        org.add("organization_settings", ["play_capacity_per_quarter": .int(20)])
        let mql = org.add("definitions", ["term": .text("MQL"), "category": .text("lifecycle_stage"), "current_version": .reference("definition_versions", UUID())])
        let growth = org.add("priorities", ["kind": .text("growth"), "name": .text("Grow"), "owner": .text("team:RevOps"), "status": .text("active")])
        let hours = org.kpi("followup_hours", definition: mql, priority: growth)
        org.add("targets", ["kpi": .reference("kpis", hours), "period": .text("2026-Q4"), "value": .double(24)])
        org.add("measurements", ["kpi": .reference("kpis", hours), "period": .text("2026-11"), "value": .double(20), "recorded_at": .text("2026-11-10T00:00:00.000Z")])
        let slow = org.add("constraints", [
            "priority": .reference("priorities", growth), "statement": .text("Slow follow-up"), "kpi": .reference("kpis", hours),
            "direction": .text("above"), "threshold": .double(24),
        ])
        org.add("plays", ["name": .text("Routing"), "owner": .text("team:Sales"), "status": .text("active"), "capacity": .int(8), "constraint": .reference("constraints", slow)])
        org.add("plays", [
            "name": .text("APAC"), "owner": .text("team:Marketing"), "status": .text("not_now"), "rationale": .text("Later."), "capacity": .int(13),
            "priority": .reference("priorities", growth),
        ])
        org.add("slas", [
            "name": .text("Follow up within a day"), "from_team": .text("Marketing"), "to_team": .text("Sales"), "kpi": .reference("kpis", hours),
            "breached_when": .text("above"), "threshold": .double(24),
        ])
        let review = org.add("reviews", ["cadence": .text("monthly"), "period": .text("2026-10"), "status": .text("closed"), "closed_at": .text("2026-11-05T00:00:00.000Z")])
        org.add("review_items", ["review": .reference("reviews", review), "kind": .text("play"), "subject": .text("plays/x"), "title": .text("Events"), "outcome": .text("stop"), "decision": .reference("decisions", UUID())])
        let report = try await org.report()
        #expect(Self.stages(report) == [.strategyLink: 3, .tradeoffs: 3, .measurement: 3, .operatingCadence: 3, .crossFunctionalFit: 3])
        #expect(report.stages.allSatisfy { $0.toRaise == nil })
        #expect(report.orphans.count == 0)
        #expect(report.lineOfSight.first?.constraints.first?.reading.state == .cleared, "20 hours is no longer above 24")
    }
}
