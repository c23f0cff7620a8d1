public import Foundation

/// A KPI as the views read it.
public struct KPI: Sendable, Equatable, Codable {
    public var id: UUID
    public var key: String
    public var name: String
    public var owner: String
    public var unit: String
    public var unitLabel: String?
    public var direction: KPIDirection
    public var grain: PeriodGrain
    public var cumulative: Bool
    public var aggregation: String
    public var numerator: String?
    public var denominator: String?
    public var definition: UUID?
    /// The priority it proves.
    public var priority: UUID?
    /// primary or secondary.
    public var tier: String

    public init?(id: UUID, fields: RecordFields) {
        guard let key = fields.text("key"), let direction = fields.text("direction").flatMap(KPIDirection.init),
              let grain = fields.text("grain").flatMap(PeriodGrain.init) else { return nil }
        self.id = id
        self.key = key
        name = fields.text("name") ?? key
        owner = fields.text("owner") ?? ""
        unit = fields.text("unit") ?? "count"
        unitLabel = fields.text("unit_label")
        self.direction = direction
        self.grain = grain
        cumulative = fields.bool("cumulative")
        aggregation = fields.text("aggregation") ?? "sum"
        numerator = fields.text("numerator")
        denominator = fields.text("denominator")
        definition = fields.reference("definition", into: CollectionSchema.definitions.name)
        priority = fields.reference("priority", into: CollectionSchema.priorities.name)
        tier = fields.text("tier") ?? "primary"
    }

    var rollUp: Aggregation {
        switch aggregation {
        case "average": .average
        case "last": .last
        case "min": .min
        case "max": .max
        case "count": .count
        case "ratio": .ratio(numerator: numerator ?? "", denominator: denominator ?? "")
        default: .sum
        }
    }
}

/// One organization's KPIs, targets and measurements, read as of a moment: the input of every KPI view, on
/// the server and on a replica alike.
public struct KPISpine: Sendable {
    public let kpis: [UUID: KPI]
    public let targets: [UUID: RecordFields]
    public let actuals: Actuals
    public let notes: [UUID: RecordFields]
    public let settings: OrganizationSettings
    /// The moment the views describe: now, or the as-of time asked for.
    public let asOf: Date
    /// Each KPI's targets with their periods read once, since every reading of every tile looks them up.
    private let kpisByKey: [String: KPI]
    private let targetsByKPI: [UUID: [(period: Period?, fields: RecordFields)]]

    /// The whole spine: every collection `load` gives, whole.
    public init(asOf: Date, load: (String) async throws -> [UUID: RecordFields]) async rethrows {
        try await self.init(asOf: asOf, load: load) { _, _ in try await load(CollectionSchema.measurements.name) }
    }

    /// The spine one dashboard's view reads for `period` (nil: its own selection): every KPI and target, but
    /// only the measurements `measurements` loads for the KPIs its tiles show (and those their ratios divide)
    /// in the periods they show (and the months those span). Its view equals the whole spine's, and it reads
    /// a few thousand rows where an organization keeps millions.
    public init(
        asOf: Date, dashboard: RecordFields, period: String?, load: (String) async throws -> [UUID: RecordFields],
        measurements: (_ kpis: Set<UUID>, _ periods: Set<String>) async throws -> [UUID: RecordFields]
    ) async rethrows {
        try await self.init(asOf: asOf, load: load) { kpis, settings in
            let tiles = (try? DashboardView.tiles(dashboard)) ?? []
            guard let shown = try? DashboardView.shownPeriod(dashboard, requested: period, settings: settings, asOf: asOf) else { return [:] }
            let periods = tiles.flatMap { DashboardView.periods(of: $0, ending: shown, fiscalStartMonth: settings.fiscalYearStartMonth) }
            return try await measurements(Self.kpisRead(by: tiles, in: kpis), Set(periods.flatMap { [$0.description] + $0.months.map(\.description) }))
        }
    }

    private init(
        asOf: Date, load: (String) async throws -> [UUID: RecordFields],
        measurements: ([UUID: KPI], OrganizationSettings) async throws -> [UUID: RecordFields]
    ) async rethrows {
        self.asOf = asOf
        let settings = OrganizationSettings(records: try await load(CollectionSchema.organizationSettings.name))
        self.settings = settings
        let kpis = try await load(CollectionSchema.kpis.name).reduce(into: [UUID: KPI]()) { result, entry in result[entry.key] = KPI(id: entry.key, fields: entry.value) }
        self.kpis = kpis
        kpisByKey = Dictionary(kpis.values.map { ($0.key, $0) }) { first, _ in first }
        targets = try await load(CollectionSchema.targets.name)
        targetsByKPI = targets.values.reduce(into: [:]) { result, fields in
            if let kpi = fields.reference("kpi", into: CollectionSchema.kpis.name) {
                result[kpi, default: []].append((fields.text("period").flatMap(settings.period), fields))
            }
        }
        actuals = Actuals(records: try await measurements(kpis, settings), asOf: asOf)
        notes = try await load(CollectionSchema.notes.name)
    }

    /// The KPIs that tiles read: the ones they name and, for a ratio, the two it divides, and theirs in turn.
    static func kpisRead(by tiles: [TileSpec], in kpis: [UUID: KPI]) -> Set<UUID> {
        let byKey = Dictionary(kpis.values.map { ($0.key, $0) }) { first, _ in first }
        var read: Set<UUID> = []
        var keys = tiles.flatMap(\.keys).map { $0.lowercased() }
        while let key = keys.popLast() {
            guard let kpi = byKey[key], read.insert(kpi.id).inserted else { continue }
            keys += [kpi.numerator, kpi.denominator].compactMap { $0?.lowercased() }
        }
        return read
    }

    public func kpi(_ key: String) -> KPI? {
        kpisByKey[key.lowercased()]
    }

    /// A KPI's value for a period and segment (nil for the whole organization): measured, or rolled up from
    /// its months (or weeks) and segments, or for a ratio of two KPIs divided from their values, never an
    /// average of ratios.
    public func value(_ kpi: KPI, _ period: Period, segment: String? = nil, depth: Int = 0) -> RollUpValue? {
        guard depth < 4 else { return nil }
        if let measured = actuals.value(kpi.id, period.description, segment: segment) {
            return RollUpValue(measured.value, numerator: measured.numerator, denominator: measured.denominator)
        }
        if kpi.aggregation == "ratio", let top = kpi.numerator.flatMap(self.kpi), let bottom = kpi.denominator.flatMap(self.kpi),
           let numerator = value(top, period, segment: segment, depth: depth + 1)?.value,
           let denominator = value(bottom, period, segment: segment, depth: depth + 1)?.value {
            return denominator == 0 ? nil : RollUpValue(numerator / denominator, numerator: numerator, denominator: denominator)
        }
        let parts: [RollUpValue]
        if period.grain != kpi.grain, kpi.grain == .month {
            parts = period.months.compactMap { value(kpi, $0, segment: segment, depth: depth + 1) }
        } else if segment == nil {
            parts = actuals.segments(kpi.id, period.description).map { RollUpValue($0.value, numerator: $0.numerator, denominator: $0.denominator) }
        } else {
            parts = []
        }
        guard let combined = RollUp.combine(parts, kpi.rollUp) else { return nil }
        let numerator = parts.allSatisfy { $0.numerator != nil } ? parts.reduce(0) { $0 + $1.numerator! } : nil
        let denominator = parts.allSatisfy { $0.denominator != nil } ? parts.reduce(0) { $0 + $1.denominator! } : nil
        return RollUpValue(combined, numerator: numerator, denominator: denominator)
    }

    /// A target as it applies to one period.
    public struct AppliedTarget: Sendable, Equatable {
        public var value: Double
        public var band: VarianceBand?
        public var pacing: Pacing
    }

    /// The target for a period and segment: set for it, or phased from the quarter or year holding it (by its
    /// phasing, else evenly by days) for an additive KPI, or held as it is for a rate or a level.
    public func target(_ kpi: KPI, _ period: Period, segment: String? = nil) -> AppliedTarget? {
        let own = (targetsByKPI[kpi.id] ?? []).filter { $0.fields.text("segment") == segment }
        func read(_ fields: RecordFields) -> AppliedTarget? {
            guard let value = RecordedMeasurement.number(fields["value"]) else { return nil }
            let width = RecordedMeasurement.number(fields["variance"])
            let band: VarianceBand? = switch fields.text("variance_kind") {
            case "absolute": width.map(VarianceBand.absolute)
            case "percent": width.map(VarianceBand.percent)
            default: nil
            }
            return AppliedTarget(value: value, band: band, pacing: fields.text("pacing").flatMap(TargetPlan.pacing) ?? .linear)
        }
        if let exact = own.first(where: { $0.period == period }) { return read(exact.fields) }
        let containing = own.compactMap { target -> (Period, RecordFields)? in
            guard let outer = target.period, outer.contains(period), outer != period else { return nil }
            return (outer, target.fields)
        }.min { $0.0.days < $1.0.days }
        guard let (outer, fields) = containing, var applied = read(fields) else { return nil }
        applied.pacing = .linear
        guard ["sum", "count"].contains(kpi.aggregation) else { return applied }
        var share = Double(period.days) / Double(outer.days)
        let months = outer.months
        if let phasing = fields.text("phasing").flatMap(TargetPlan.phasing), let index = months.firstIndex(of: period),
           case .success(let parts) = phasing.split(applied.value, over: months.count, additive: true), applied.value != 0 {
            share = parts[index] / applied.value
        }
        applied.value *= share
        if case .absolute(let width)? = applied.band { applied.band = .absolute(width * share) }
        return applied
    }

    /// The KPI's reading for a period and segment, as of `asOf`.
    public func reading(_ kpi: KPI, _ period: Period, segment: String? = nil) -> KPIReading {
        let target = target(kpi, period, segment: segment)
        let today = Int64((asOf.timeIntervalSince1970 / 86_400).rounded(.down))
        return KPIReading.judge(
            actual: value(kpi, period, segment: segment)?.value, target: target?.value, band: target?.band, direction: kpi.direction,
            cumulative: kpi.cumulative, elapsed: period.elapsed(through: today), pacing: target?.pacing ?? .linear
        )
    }

    /// The period of `grain` holding `asOf`.
    public func currentPeriod(_ grain: PeriodGrain) -> Period {
        settings.period(grain, holding: asOf)
    }

    /// The notes attached to a KPI or to one of its measurements: the annotations of its trend.
    public func annotations(_ kpi: KPI) -> [(period: String?, title: String)] {
        notes.values.compactMap { note in
            guard let subject = note.text("subject"), let title = note.text("title") else { return nil }
            if subject == "kpis/\(kpi.id.lowercasedText)" { return (nil, title) }
            guard let id = note.reference("subject", into: CollectionSchema.measurements.name),
                  let measurement = actuals.measurement(id), measurement.kpi == kpi.id else { return nil }
            return (measurement.period, title)
        }.sorted { ($0.period ?? "", $0.title) < ($1.period ?? "", $1.title) }
    }
}
