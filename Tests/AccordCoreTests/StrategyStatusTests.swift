import AccordCore
import Foundation
import Testing

@Suite("What the data says about constraints, plays and SLAs")
struct StrategyStatusTests {
    static let conversion = UUID(), followUp = UUID()
    /// When each month's numbers were recorded: the day after it closed.
    static let closed = ["2026-01": "2026-02-01T00:00:00.000Z", "2026-02": "2026-03-01T00:00:00.000Z", "2026-03": "2026-04-01T00:00:00.000Z"]

    /// MQL→SQL conversion (percent, by region) and MQL follow-up hours, measured monthly up to mid-April 2026.
    static func spine(asOf: String = "2026-04-16T00:00:00Z") async throws -> KPISpine {
        func kpi(_ key: String, _ direction: String) -> RecordFields {
            ["key": .text(key), "name": .text(key), "aggregation": .text("average"), "direction": .text(direction), "grain": .text("month"), "unit": .text("percent")]
        }
        func measured(_ kpi: UUID, _ period: String, _ value: Double, _ segment: String? = nil) -> (UUID, RecordFields) {
            var fields: RecordFields = ["kpi": .reference("kpis", kpi), "period": .text(period), "value": .double(value), "recorded_at": .text(Self.closed[period, default: ""])]
            if let segment { fields["segment"] = .text(segment) }
            return (UUID(), fields)
        }
        let emea = #"{"region":"EMEA"}"#, amer = #"{"region":"AMER"}"#
        let records: [String: [UUID: RecordFields]] = [
            "kpis": [conversion: kpi("mql_to_sql", "higher_is_better"), followUp: kpi("mql_followup_hours", "lower_is_better")],
            "measurements": Dictionary(uniqueKeysWithValues: [
                measured(conversion, "2026-02", 17, emea), measured(conversion, "2026-03", 18, emea), measured(conversion, "2026-03", 26, amer),
                measured(followUp, "2026-01", 20), measured(followUp, "2026-02", 31), measured(followUp, "2026-03", 22, emea),
                measured(followUp, "2026-03", 30, amer), measured(followUp, "2026-03", 26),
            ]),
        ]
        return await KPISpine(asOf: try #require(FieldSchema.parseTime(asOf))) { records[$0] ?? [:] }
    }

    @Test func aConstraintHoldsWhileItsKPIsLatestValueIsOnItsSideOfTheThreshold() async throws {
        let spine = try await Self.spine()
        func constraint(_ segment: String?, _ side: String, _ threshold: Double) -> RecordFields {
            var fields: RecordFields = ["kpi": .reference("kpis", Self.conversion), "direction": .text(side), "threshold": .double(threshold)]
            if let segment { fields["segment"] = .text(segment) }
            return fields
        }
        let emea = spine.reading(ofConstraint: constraint(#"{"region":"EMEA"}"#, "below", 20))
        #expect(emea == ConstraintReading(state: .holds, kpi: "mql_to_sql", period: "2026-03", value: 18), "April has no data yet: March is the latest")
        #expect(spine.reading(ofConstraint: constraint(#"{"region":"AMER"}"#, "below", 20)).state == .cleared)
        #expect(spine.reading(ofConstraint: constraint(#"{"region":"APAC"}"#, "below", 20)).state == .noData)
        let earlier = try await Self.spine(asOf: "2026-02-20T00:00:00Z")
        #expect(earlier.reading(ofConstraint: constraint(#"{"region":"AMER"}"#, "below", 20)).state == .noData, "as of February 20, March is not measured")
        #expect(earlier.reading(ofConstraint: constraint(#"{"region":"EMEA"}"#, "below", 20)).state == .noData, "nor February, recorded on March 1")
    }

    @Test func aPlayIsPastItsStopCriteriaByDateOrByItsKPI() async throws {
        let spine = try await Self.spine()
        let active: RecordFields = ["status": .text("active")]
        #expect(spine.stopReason(ofPlay: active.merging(["stop_on": .text("2026-04-15")]) { $1 }) == "past its stop date 2026-04-15")
        #expect(spine.stopReason(ofPlay: active.merging(["stop_on": .text("2026-04-16")]) { $1 }) == nil, "the stop date itself still runs")
        let byKPI = active.merging(["stop_kpi": .reference("kpis", Self.followUp), "stop_when": .text("above"), "stop_threshold": .double(25)]) { $1 }
        #expect(spine.stopReason(ofPlay: byKPI) == "mql_followup_hours is above 25: 26 in 2026-03")
        #expect(spine.stopReason(ofPlay: byKPI.merging(["stop_threshold": .double(26)]) { $1 }) == nil)
        #expect(spine.stopReason(ofPlay: byKPI.merging(["status": .text("not_now")]) { $1 }) == nil, "only running or proposed plays are flagged")
    }

    @Test func anSLAsBreachesAreThePeriodsOnTheWrongSide() async throws {
        let spine = try await Self.spine()
        let sla: RecordFields = ["kpi": .reference("kpis", Self.followUp), "breached_when": .text("above"), "threshold": .double(24)]
        #expect(spine.breaches(ofSLA: sla) == [
            SLABreach(period: "2026-03", value: 26, threshold: 24), SLABreach(period: "2026-02", value: 31, threshold: 24),
        ], "AMER's 30 in March is part of the organization's 26, not a breach of its own")
        #expect(spine.breaches(ofSLA: sla.merging(["threshold": .double(40)]) { $1 }).isEmpty)
        #expect(spine.breaches(ofSLA: ["kpi": .reference("kpis", Self.followUp)]).isEmpty, "an SLA without a threshold has no breaches to count")
    }
}
