import AccordCore
import Foundation

/// A year of a client's numbers for the demo: a dozen KPIs, monthly actuals across three regions, quarterly
/// targets with bands, a dip Marketing explained in a note, a corrected figure, and three dashboards.
extension DemoGovernance {
    struct DemoKPI {
        var key: String, name: String, owner: StandardTeam, aggregation: String, unit: String, unitLabel: String? = nil
        var kind: String, tier: String, direction: KPIDirection, source: String
        var base: Double, growth: Double = 0.02, segmented: Bool = true, parts: (String, String)? = nil
        var definition: String? = nil
        /// A quarter's target: for a sum, the share of the plan it expects; otherwise the value itself.
        var target: Double, band: VarianceBand

        var cumulative: Bool { aggregation == "sum" }
    }

    static let regions: [(name: String, weight: Double)] = [("Americas", 1.2), ("EMEA", 1.0), ("APAC", 0.6)]

    static let kpis: [DemoKPI] = [
        DemoKPI(key: "pipeline_created", name: "Pipeline created", owner: .revOps, aggregation: "sum", unit: "currency", unitLabel: "USD", kind: "leading", tier: "primary", direction: .higherIsBetter, source: "Salesforce · Opportunity", base: 400_000, definition: "Pipeline", target: 0.97, band: .percent(10)),
        DemoKPI(key: "mqls", name: "MQLs", owner: .marketing, aggregation: "sum", unit: "count", kind: "leading", tier: "primary", direction: .higherIsBetter, source: "HubSpot · Lead", base: 150, definition: "MQL", target: 1.0, band: .percent(10)),
        DemoKPI(key: "sqls", name: "SQLs", owner: .sales, aggregation: "sum", unit: "count", kind: "leading", tier: "primary", direction: .higherIsBetter, source: "Salesforce · Lead", base: 38, definition: "SQL", target: 0.96, band: .percent(10)),
        DemoKPI(key: "mql_to_sql", name: "MQL→SQL conversion", owner: .revOps, aggregation: "ratio", unit: "percent", kind: "leading", tier: "primary", direction: .higherIsBetter, source: "Derived: SQLs / MQLs", base: 0, segmented: false, parts: ("sqls", "mqls"), target: 0.27, band: .absolute(0.03)),
        DemoKPI(key: "opportunities", name: "Opportunities created", owner: .sales, aggregation: "sum", unit: "count", kind: "leading", tier: "secondary", direction: .higherIsBetter, source: "Salesforce · Opportunity", base: 24, target: 0.95, band: .percent(10)),
        DemoKPI(key: "wins", name: "Deals won", owner: .sales, aggregation: "sum", unit: "count", kind: "lagging", tier: "secondary", direction: .higherIsBetter, source: "Salesforce · Opportunity", base: 6, target: 1.0, band: .percent(15)),
        DemoKPI(key: "win_rate", name: "Win rate", owner: .sales, aggregation: "ratio", unit: "percent", kind: "lagging", tier: "primary", direction: .higherIsBetter, source: "Derived: wins / opportunities", base: 0, segmented: false, parts: ("wins", "opportunities"), target: 0.25, band: .absolute(0.03)),
        DemoKPI(key: "new_arr", name: "New ARR", owner: .finance, aggregation: "sum", unit: "currency", unitLabel: "USD", kind: "lagging", tier: "primary", direction: .higherIsBetter, source: "NetSuite · Invoices", base: 90_000, target: 1.04, band: .percent(10)),
        DemoKPI(key: "cac", name: "Customer acquisition cost", owner: .finance, aggregation: "last", unit: "currency", unitLabel: "USD", kind: "lagging", tier: "secondary", direction: .lowerIsBetter, source: "Finance model", base: 14_000, growth: 0.01, segmented: false, target: 13_000, band: .percent(10)),
        DemoKPI(key: "nrr", name: "Net revenue retention", owner: .customerSuccess, aggregation: "last", unit: "percent", kind: "lagging", tier: "primary", direction: .higherIsBetter, source: "ChurnZero", base: 1.04, growth: 0, segmented: false, target: 1.05, band: .absolute(0.02)),
        DemoKPI(key: "sales_cycle_days", name: "Sales cycle", owner: .sales, aggregation: "average", unit: "days", kind: "lagging", tier: "secondary", direction: .lowerIsBetter, source: "Salesforce · Opportunity", base: 62, growth: -0.005, segmented: false, target: 55, band: .absolute(6)),
        DemoKPI(key: "mql_followup_hours", name: "MQL follow-up time", owner: .sales, aggregation: "average", unit: "custom", unitLabel: "hours", kind: "leading", tier: "secondary", direction: .lowerIsBetter, source: "Salesforce · Task", base: 31, growth: -0.01, segmented: false, target: 24, band: .absolute(4)),
    ]

    func seedKPIs() async throws {
        if fiscalYearStartMonth != 1 {
            try await write(as: owner, FollowUp(.create, CollectionSchema.organizationSettings.name, UUID(), ["fiscal_year_start_month": .int(Int64(fiscalYearStartMonth)), "currency": .text("USD")]))
        }
        let definitions = try await api.organizations.inOrganization(slug, as: owner, logger: logger) { tx, access in
            try await api.governance.live(CollectionSchema.definitions.name, org: access.organization.id, in: tx)
        }
        var ids: [String: UUID] = [:]
        var changes: [FollowUp] = []
        for kpi in Self.kpis {
            let id = UUID()
            ids[kpi.key] = id
            var fields: RecordFields = [
                "key": .text(kpi.key), "name": .text(kpi.name), "owner": .text("team:\(kpi.owner.rawValue)"), "aggregation": .text(kpi.aggregation),
                "unit": .text(kpi.unit), "kind": .text(kpi.kind), "tier": .text(kpi.tier), "direction": .text(kpi.direction.rawValue), "grain": .text("month"),
                "cumulative": .bool(kpi.cumulative), "source_system": .text(kpi.source),
            ]
            if let label = kpi.unitLabel { fields["unit_label"] = .text(label) }
            if let (top, bottom) = kpi.parts { fields["numerator"] = .text(top); fields["denominator"] = .text(bottom) }
            if let term = kpi.definition, let definition = definitions.first(where: { $0.value.text("term") == term }) {
                fields["definition"] = .reference(CollectionSchema.definitions.name, definition.key)
            }
            changes.append(FollowUp(.create, CollectionSchema.kpis.name, id, fields))
        }
        try await write(as: owner, changes)
        try await seedActuals(ids)
        try await seedDashboards()
    }

    /// The twelve months up to this one; this month's sums are as far as it has got.
    private func seedActuals(_ ids: [String: UUID]) async throws {
        let today = Int64((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        let thisMonth = Period.containing(today, grain: .month)
        var random = DemoRandom(seed: UInt64(slug.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        var dip: UUID?, corrected: FollowUp?
        var planByQuarter: [Period: [String: Double]] = [:]
        let fiscal = fiscalYearStartMonth != 1
        for back in (0..<12).reversed() {
            let month = thisMonth.shifted(by: back)
            let index = Double(11 - back)
            let elapsed = back == 0 ? month.elapsed(through: today) : 1
            let quarter = Period.containing(month.start, grain: .quarter, fiscal: fiscal, fiscalStartMonth: fiscalYearStartMonth)
            var changes: [FollowUp] = []
            for kpi in Self.kpis where kpi.parts == nil {
                let trend = kpi.base * (1 + kpi.growth * index)
                guard let id = ids[kpi.key] else { continue }
                let reference = FieldValue.reference(CollectionSchema.kpis.name, id)
                if kpi.segmented {
                    if planByQuarter[quarter]?[kpi.key] == nil {
                        planByQuarter[quarter, default: [:]][kpi.key] = quarter.months.reduce(0) { sum, month in
                            sum + kpi.base * (1 + kpi.growth * (11 - Double(Self.months(from: month, to: thisMonth)))) * Self.regions.reduce(0) { $0 + $1.weight }
                        }
                    }
                    for region in Self.regions {
                        var value = trend * region.weight * random.around(1, by: 0.08) * elapsed
                        if kpi.key == "mqls", region.name == "EMEA", back == 4 { value *= 0.55 }
                        let measurement = UUID()
                        if kpi.key == "mqls", region.name == "EMEA", back == 4 { dip = measurement }
                        var fields: RecordFields = [
                            "kpi": reference, "period": .text(month.description), "segment": .text(#"{"region":"\#(region.name)"}"#),
                            "value": .double(Self.rounded(value, kpi)), "source": .text(kpi.source),
                        ]
                        changes.append(FollowUp(.create, CollectionSchema.measurements.name, measurement, fields))
                        if kpi.key == "new_arr", region.name == "Americas", back == 1 {
                            fields["value"] = .double(Self.rounded(value * 1.06, kpi))
                            fields["supersedes"] = .reference(CollectionSchema.measurements.name, measurement)
                            fields["note"] = .text("Two renewals booked as new business were moved out; one late-signed deal moved in.")
                            corrected = FollowUp(.create, CollectionSchema.measurements.name, UUID(), fields)
                        }
                    }
                } else {
                    let value = Self.rounded(trend * random.around(1, by: 0.04), kpi)
                    changes.append(FollowUp(.create, CollectionSchema.measurements.name, UUID(), [
                        "kpi": reference, "period": .text(month.description), "value": .double(value), "source": .text(kpi.source),
                    ]))
                }
            }
            try await write(as: owner, changes)
        }
        if let corrected { try await write(as: owner, corrected) }
        try await seedTargets(ids, plan: planByQuarter)
        if let dip {
            try await write(as: proposer, FollowUp(.create, CollectionSchema.notes.name, UUID(), [
                "title": .text("EMEA MQL dip: the Lyon trade show was cancelled"), "subject": .reference(CollectionSchema.measurements.name, dip),
                "body": .text("About 140 [[MQL]]s a quarter came from the show; partner webinars replace part of them from next month."),
            ]))
        }
        if let cac = ids["cac"] {
            try await write(as: owner, FollowUp(.create, CollectionSchema.notes.name, UUID(), [
                "title": .text("Paid search costs rose after the auction changes"), "subject": .reference(CollectionSchema.kpis.name, cac),
            ]))
        }
    }

    private func seedTargets(_ ids: [String: UUID], plan: [Period: [String: Double]]) async throws {
        var changes: [FollowUp] = []
        for (quarter, sums) in plan.sorted(by: { $0.key < $1.key }) {
            for kpi in Self.kpis {
                guard let id = ids[kpi.key] else { continue }
                let value = kpi.cumulative ? Self.rounded((sums[kpi.key] ?? 0) * kpi.target, kpi) : kpi.target
                guard value > 0 else { continue }
                var fields: RecordFields = [
                    "kpi": .reference(CollectionSchema.kpis.name, id), "period": .text(quarter.description), "value": .double(value),
                    "rationale": .text("The \(quarter.description) plan agreed with Finance."),
                ]
                switch kpi.band {
                case .percent(let width): fields["variance_kind"] = .text("percent"); fields["variance"] = .double(width)
                case .absolute(let width): fields["variance_kind"] = .text("absolute"); fields["variance"] = .double(width)
                }
                changes.append(FollowUp(.create, CollectionSchema.targets.name, UUID(), fields))
                // The headline sums are split across the regions too, so their tiles can compare them.
                guard kpi.cumulative, ["mqls", "new_arr", "pipeline_created"].contains(kpi.key) else { continue }
                let total = Self.regions.reduce(0) { $0 + $1.weight }
                for region in Self.regions {
                    var regional = fields
                    regional["segment"] = .text(#"{"region":"\#(region.name)"}"#)
                    regional["value"] = .double(Self.rounded(value * region.weight / total, kpi))
                    changes.append(FollowUp(.create, CollectionSchema.targets.name, UUID(), regional))
                }
            }
        }
        try await write(as: owner, changes)
    }

    private func seedDashboards() async throws {
        let all = Self.kpis.map(\.key)
        let boards: [(name: String, audience: String, grain: String, tiles: [TileSpec])] = [
            ("Monthly business review", StandardTeam.revOps.rawValue, "month", [
                TileSpec(kind: .number, kpi: "pipeline_created"), TileSpec(kind: .number, kpi: "new_arr"), TileSpec(kind: .pacing, kpi: "mqls"),
                TileSpec(kind: .trend, kpi: "mqls", periods: 12), TileSpec(kind: .table, kpis: all, title: "Every KPI"),
            ]),
            ("Marketing funnel", StandardTeam.marketing.rawValue, "month", [
                TileSpec(kind: .number, kpi: "mqls"), TileSpec(kind: .segments, kpi: "mqls", dimension: "region", title: "MQLs by region"),
                TileSpec(kind: .trend, kpi: "mql_to_sql", periods: 6), TileSpec(kind: .table, kpis: ["mqls", "sqls", "mql_to_sql", "mql_followup_hours"], title: "Funnel"),
            ]),
            ("Board pack", StandardTeam.finance.rawValue, "quarter", [
                TileSpec(kind: .table, kpis: ["new_arr", "nrr", "cac", "win_rate", "pipeline_created"], title: "Headline"),
                TileSpec(kind: .trend, kpi: "new_arr", periods: 4), TileSpec(kind: .segments, kpi: "new_arr", dimension: "region", title: "New ARR by region"),
            ]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try await write(as: owner, try boards.map { board in
            FollowUp(.create, CollectionSchema.dashboards.name, UUID(), [
                "name": .text(board.name), "audience": .text(board.audience), "grain": .text(board.grain), "period": .text("current"),
                "tiles": .text(String(decoding: try encoder.encode(board.tiles), as: UTF8.self)),
            ])
        })
    }

    /// How many months `later` comes after `earlier`.
    static func months(from earlier: Period, to later: Period) -> Int {
        func index(_ period: Period) -> Int {
            let parts = period.description.split(separator: "-").compactMap { Int($0) }
            return parts.count == 2 ? parts[0] * 12 + parts[1] : 0
        }
        return index(later) - index(earlier)
    }

    private static func rounded(_ value: Double, _ kpi: DemoKPI) -> Double {
        switch kpi.unit {
        case "percent": (value * 1000).rounded() / 1000
        case "currency": (value / 100).rounded() * 100
        default: value.rounded()
        }
    }
}

/// A small deterministic generator, so each demo organization gets the same numbers every time.
struct DemoRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }

    /// A value within `by` (a fraction) of `center`.
    mutating func around(_ center: Double, by spread: Double) -> Double {
        center * (1 - spread + 2 * spread * next())
    }
}
