import AccordCore
import Foundation

/// The KPI spine's benchmark data: monthly KPIs measured by segment, a file of their actuals, quarterly
/// targets, and a twelve-tile dashboard over them.
struct KPIData: Codable, Sendable {
    /// Measured KPIs; one more, a ratio of the first two, is never measured itself.
    var kpis: Int
    var years: Int
    var segments: Int

    static let lastYear = 2026
    /// The month the dashboard shows: fixed, so the work does not depend on the day the benchmark runs.
    static let shownMonth = "2026-11"
    static let ratioKey = "conversion"

    /// A data set of about `rows` measurements over `kpis` KPIs and five years: as many segments as it takes.
    static func sized(rows: Int, kpis: Int) -> KPIData {
        let years = 5
        return KPIData(kpis: kpis, years: years, segments: max(1, (rows + kpis * years * 12 - 1) / (kpis * years * 12)))
    }

    var rows: Int { kpis * years * 12 * segments }

    static func key(_ index: Int) -> String { String(format: "kpi%03d", index) }

    var months: [String] {
        ((Self.lastYear - years + 1)...Self.lastYear).flatMap { year in (1...12).map { String(format: "%d-%02d", year, $0) } }
    }

    func kpiFields(_ index: Int) -> RecordFields {
        [
            "key": .text(Self.key(index)), "name": .text("KPI \(index)"), "owner": .text("team:RevOps"), "aggregation": .text("sum"),
            "unit": .text("count"), "kind": .text("leading"), "tier": .text("primary"), "direction": .text("higher_is_better"),
            "grain": .text("month"), "cumulative": .bool(true),
        ]
    }

    var ratioFields: RecordFields {
        var fields = kpiFields(0)
        fields["key"] = .text(Self.ratioKey)
        fields["name"] = .text("Conversion")
        fields["aggregation"] = .text("ratio")
        fields["unit"] = .text("percent")
        fields["cumulative"] = .bool(false)
        fields["numerator"] = .text(Self.key(2))
        fields["denominator"] = .text(Self.key(1))
        return fields
    }

    /// Writes the actuals as CSV, a KPI, month and segment a line; `seed` changes every value.
    func writeCSV(to url: URL, seed: Int = 0) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var chunk = "kpi,period,segment,value,source\n"
        for kpi in 1...kpis {
            let key = Self.key(kpi)
            for (monthIndex, month) in months.enumerated() {
                for segment in 1...segments {
                    chunk += "\(key),\(month),region=R\(segment),\((kpi * 7 + monthIndex * 13 + segment * 3 + seed) % 997 + 100),Warehouse\n"
                }
                if chunk.utf8.count > 1 << 20 {
                    try handle.write(contentsOf: Data(chunk.utf8))
                    chunk = ""
                }
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }

    /// Quarterly targets with a ±10% band, near what the data holds, so statuses vary.
    func targets(kpi: UUID) -> [RecordFields] {
        ((Self.lastYear - years + 1)...Self.lastYear).flatMap { year in
            (1...4).map { quarter in
                [
                    "kpi": .reference(CollectionSchema.kpis.name, kpi), "period": .text("\(year)-Q\(quarter)"),
                    "value": .double(Double(segments * 1_650)), "variance_kind": .text("percent"), "variance": .double(10),
                ]
            }
        }
    }

    /// The measured KPIs the tiles name (the ratio's parts are the first two).
    static let shownKPIs = Array(1...15)

    /// Twelve tiles: numbers, trends over twelve months, pacing, segment comparisons and two tables.
    var dashboard: RecordFields {
        let tiles = [
            TileSpec(kind: .number, kpi: Self.key(1)), TileSpec(kind: .number, kpi: Self.key(2)), TileSpec(kind: .number, kpi: Self.ratioKey),
            TileSpec(kind: .trend, kpi: Self.key(1), periods: 12), TileSpec(kind: .trend, kpi: Self.key(2), periods: 12),
            TileSpec(kind: .trend, kpi: Self.key(3), periods: 12), TileSpec(kind: .pacing, kpi: Self.key(1)), TileSpec(kind: .pacing, kpi: Self.key(4)),
            TileSpec(kind: .segments, kpi: Self.key(1), dimension: "region"), TileSpec(kind: .segments, kpi: Self.key(5), dimension: "region"),
            TileSpec(kind: .table, kpis: (6...10).map(Self.key)), TileSpec(kind: .table, kpis: (11...15).map(Self.key) + [Self.ratioKey]),
        ]
        let text = String(decoding: (try? JSONEncoder().encode(tiles)) ?? Data("[]".utf8), as: UTF8.self)
        return ["name": .text("Monthly review"), "period": .text(Self.shownMonth), "tiles": .text(text)]
    }

    /// The months the dashboard reads: the shown one and the eleven before it.
    static var readMonths: [String] {
        (0..<12).map { back in
            let total = 2026 * 12 + 10 - back
            return String(format: "%d-%02d", total / 12, total % 12 + 1)
        }
    }
}
