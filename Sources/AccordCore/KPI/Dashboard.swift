public import Foundation

extension CollectionSchema {
    /// A named set of tiles over the KPI spine for an audience, computed the same on the server and offline.
    public static let dashboards = CollectionSchema(
        name: "dashboards",
        fields: [
            FieldSchema("name", .text, .lww, required: true, maxLength: 200),
            /// The team it is for.
            FieldSchema("audience", .text, .lww, maxLength: 100),
            /// `current` or `previous` (of `grain`), or a period such as 2026-Q3.
            FieldSchema("period", .text, .lww, maxLength: 12),
            FieldSchema("grain", .text, .lww, allowedValues: ["month", "quarter", "year"]),
            /// A JSON array of tiles, each {"kind": number|trend|pacing|segments|table, "kpi": key, "kpis": [keys],
            /// "dimension": segment dimension, "periods": trend length, "title": text}.
            FieldSchema("tiles", .json, .lww, required: true, maxLength: 20_000),
        ],
        rules: [CollectionRule("tiles name known kinds and KPIs", check: DashboardRules.judge)]
    )
}

/// One tile as declared in a dashboard's `tiles`.
public struct TileSpec: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case number, trend, pacing, segments, table
    }

    public var kind: Kind
    public var kpi: String?
    public var kpis: [String]?
    public var dimension: String?
    public var periods: Int?
    public var title: String?

    public init(kind: Kind, kpi: String? = nil, kpis: [String]? = nil, dimension: String? = nil, periods: Int? = nil, title: String? = nil) {
        self.kind = kind
        self.kpi = kpi
        self.kpis = kpis
        self.dimension = dimension
        self.periods = periods
        self.title = title
    }

    /// The KPI keys the tile shows.
    public var keys: [String] { kind == .table ? kpis ?? [] : kpi.map { [$0] } ?? [] }
}

enum DashboardRules {
    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard let merged = input.merged else { return .accept }
        guard let text = merged.text("tiles"), let tiles = try? JSONDecoder().decode([TileSpec].self, from: Data(text.utf8)) else {
            let kinds = TileSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            return .reject("invalid", #"tiles must be a JSON array of tiles such as {"kind": "number", "kpi": "mqls"}; the kinds are "# + kinds)
        }
        let settings = try await OrganizationSettings.load(input.view)
        if let period = merged.text("period"), period != "current", period != "previous", settings.period(period) == nil {
            return .reject("invalid", "period must be current, previous, or a period spelled like \(Period.spelling)")
        }
        let known = Set(try await input.view.records(CollectionSchema.kpis.name, matching: [:]).values.compactMap { $0.text("key") })
        for (index, tile) in tiles.enumerated() {
            if tile.keys.isEmpty { return .reject("invalid", "tile \(index + 1) (\(tile.kind.rawValue)) names no KPI; give kpi (or kpis for a table)") }
            if let unknown = tile.keys.first(where: { !known.contains($0) }) { return .reject("invalid", "tile \(index + 1) names the KPI \(unknown), which does not exist") }
            if tile.kind == .segments, tile.dimension == nil { return .reject("invalid", "tile \(index + 1) compares segments; name the dimension, such as region") }
        }
        return .accept
    }
}

/// A dashboard computed for a period as of a moment: every tile's numbers, statuses, trends and notes.
public struct DashboardView: Sendable, Equatable, Codable {
    public struct TrendPoint: Sendable, Equatable, Codable {
        public var period: String
        public var reading: KPIReading

        public init(period: String, reading: KPIReading) {
            self.period = period
            self.reading = reading
        }
    }

    public struct SegmentReading: Sendable, Equatable, Codable {
        public var segment: String
        public var reading: KPIReading
    }

    public struct Row: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public var unit: String
        public var reading: KPIReading
    }

    public struct Annotation: Sendable, Equatable, Codable {
        public var period: String?
        public var text: String
    }

    public struct Tile: Sendable, Equatable, Codable {
        public var kind: TileSpec.Kind
        public var title: String
        public var rows: [Row]
        public var trend: [TrendPoint]?
        public var segments: [SegmentReading]?
        public var annotations: [Annotation]?
    }

    public var name: String
    public var audience: String?
    public var period: String
    public var asOf: Date
    public var tiles: [Tile]

    /// Computes the dashboard `fields` for `period` (or its own period selection) from `spine`.
    public static func compute(_ fields: RecordFields, spine: KPISpine, period requested: String? = nil) throws(DashboardError) -> DashboardView {
        let specs = try tiles(fields)
        let period = try shownPeriod(fields, requested: requested, settings: spine.settings, asOf: spine.asOf)
        let tiles = specs.map { spec in tile(spec, period: period, spine: spine) }
        return DashboardView(name: fields.text("name") ?? "", audience: fields.text("audience"), period: period.description, asOf: spine.asOf, tiles: tiles)
    }

    /// The period a dashboard shows: the one asked for, else its own selection (a period, or the current or
    /// previous one of its grain as of `asOf`).
    static func shownPeriod(_ fields: RecordFields, requested: String?, settings: OrganizationSettings, asOf: Date) throws(DashboardError) -> Period {
        let grain = fields.text("grain").flatMap(PeriodGrain.init) ?? .month
        let current = settings.period(grain, holding: asOf)
        switch requested ?? fields.text("period") ?? "current" {
        case "current": return current
        case "previous": return current.shifted(by: 1, fiscalStartMonth: settings.fiscalYearStartMonth)
        case let selection:
            guard let parsed = settings.period(selection) else { throw DashboardError(reason: "'\(selection)' is not a period; spell it like \(Period.spelling)") }
            return parsed
        }
    }

    /// The periods a tile shows: the dashboard's, or for a trend the ones leading up to it.
    static func periods(of spec: TileSpec, ending period: Period, fiscalStartMonth: Int) -> [Period] {
        guard spec.kind == .trend else { return [period] }
        return Trend.series(ending: period, count: min(max(spec.periods ?? 6, 1), 36), fiscalStartMonth: fiscalStartMonth) { _ in nil }.map(\.period)
    }

    /// The tiles a dashboard's fields declare.
    public static func tiles(_ fields: RecordFields) throws(DashboardError) -> [TileSpec] {
        guard let text = fields.text("tiles"), let specs = try? JSONDecoder().decode([TileSpec].self, from: Data(text.utf8)) else {
            throw DashboardError(reason: "the dashboard's tiles cannot be read")
        }
        return specs
    }

    private static func tile(_ spec: TileSpec, period: Period, spine: KPISpine) -> Tile {
        let kpis = spec.keys.compactMap(spine.kpi)
        let rows = kpis.map { Row(key: $0.key, name: $0.name, unit: $0.unitLabel ?? $0.unit, reading: spine.reading($0, period)) }
        var tile = Tile(kind: spec.kind, title: spec.title ?? kpis.first?.name ?? "", rows: rows)
        guard let kpi = kpis.first else { return tile }
        switch spec.kind {
        case .trend:
            let shown = periods(of: spec, ending: period, fiscalStartMonth: spine.settings.fiscalYearStartMonth)
            tile.trend = shown.map { TrendPoint(period: $0.description, reading: spine.reading(kpi, $0)) }
            // A note on a measurement marks the trend where it shows that measurement's period.
            let months = Set(shown.flatMap { [$0.description] + $0.months.map(\.description) })
            tile.annotations = spine.annotations(kpi).filter { $0.period.map(months.contains) ?? true }.map { Annotation(period: $0.period, text: $0.title) }
        case .segments:
            let dimension = spec.dimension ?? ""
            // The segments measured in the period shown, or in its months.
            let measured = ([period] + period.months).flatMap { spine.actuals.segments(kpi.id, $0.description) }
            let segments = Set(measured.compactMap(\.segment)).filter { segment in
                (try? JSONSerialization.jsonObject(with: Data(segment.utf8)) as? [String: Any])?.keys.contains(dimension) ?? false
            }
            tile.segments = segments.sorted().map { SegmentReading(segment: $0, reading: spine.reading(kpi, period, segment: $0)) }
        case .number, .pacing, .table:
            break
        }
        return tile
    }
}

public struct DashboardError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
