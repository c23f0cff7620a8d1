import AccordCore
import Foundation
import Testing

@Suite("KPI values and targets as the views read them")
struct KPISpineViewTests {
    static let kpiID = UUID()

    static func spine(targets: [RecordFields], measurements: [RecordFields] = [], fiscalStart: Int64? = nil, asOf: String = "2026-04-16T00:00:00Z") async throws -> KPISpine {
        let kpi: RecordFields = [
            "key": .text("pipeline"), "name": .text("Pipeline created"), "aggregation": .text("sum"), "direction": .text("higher_is_better"),
            "grain": .text("month"), "cumulative": .bool(true), "unit": .text("currency"),
        ]
        let records: [String: [UUID: RecordFields]] = [
            "kpis": [kpiID: kpi],
            "targets": Dictionary(uniqueKeysWithValues: targets.map { (UUID(), $0.merging(["kpi": .reference("kpis", kpiID)]) { $1 }) }),
            "measurements": Dictionary(uniqueKeysWithValues: measurements.map { (UUID(), $0.merging(["kpi": .reference("kpis", kpiID)]) { $1 }) }),
            "organization_settings": fiscalStart.map { [UUID(): ["fiscal_year_start_month": .int($0)]] } ?? [:],
        ]
        return await KPISpine(asOf: try #require(FieldSchema.parseTime(asOf))) { records[$0] ?? [:] }
    }

    static func period(_ text: String) throws -> Period {
        try #require(Period(text))
    }

    @Test func aFiscalQuarterTargetIsPhasedIntoItsMonthsByWeights() async throws {
        let spine = try await Self.spine(targets: [
            ["period": .text("FY2027-Q1"), "value": .double(400), "variance_kind": .text("absolute"), "variance": .double(40), "phasing": .text(#"{"weights": [1, 1, 2]}"#)],
        ], fiscalStart: 2)
        let kpi = try #require(spine.kpi("pipeline"))
        #expect(spine.target(kpi, try Self.period("2026-02"))?.value == 100)
        let april = try #require(spine.target(kpi, try Self.period("2026-04")))
        #expect(april.value == 200 && april.band == .absolute(20), "the band is phased with the target")
        #expect(spine.target(kpi, try Self.period("2026-05")) == nil, "May is in the next fiscal quarter")
        #expect(spine.currentPeriod(.quarter).description == "FY2027-Q1" && spine.currentPeriod(.year).description == "FY2027")
    }

    @Test func aMonthsPacingComesFromItsTargetAndMonthsRollUpToTheQuarter() async throws {
        let spine = try await Self.spine(
            targets: [["period": .text("2026-04"), "value": .double(300), "pacing": .text(#"{"milestones": [{"at": 0.5, "share": 0.2}], "step": true}"#)]],
            measurements: [
                ["period": .text("2026-04"), "value": .double(70)], ["period": .text("2026-02"), "value": .double(10)],
                ["period": .text("2026-03"), "value": .double(20)],
            ]
        )
        let kpi = try #require(spine.kpi("pipeline"))
        let april = spine.reading(kpi, try Self.period("2026-04"))
        #expect(april.expected == 60 && april.status == .onTrack, "halfway through April a step milestone expects 20% of 300")
        #expect(spine.value(kpi, try Self.period("2026-Q1"))?.value == 30, "January to March sum what was measured")
        #expect(spine.reading(kpi, try Self.period("2026-Q1")).status == .noTarget)
    }
}
