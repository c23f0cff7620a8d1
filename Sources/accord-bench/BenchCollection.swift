import AccordCore
import Foundation

/// The benchmarks' collection: KPI measurements, as wide as a real record (a dozen typed columns, 250–400 bytes
/// as JSON). It is declared like `CollectionSchema.notes` and served through a catalog of its own; only the
/// benchmarks create its table.
enum BenchCollection {
    static let name = "kpi_measurements"

    static let schema = CollectionSchema(
        name: name,
        fields: [
            FieldSchema("kpi", .reference, .lww, required: true),
            FieldSchema("metric", .text, .lww, required: true, maxLength: 120),
            FieldSchema("period_start", .timestamp, .lww, required: true),
            FieldSchema("period_end", .timestamp, .lww, required: true),
            FieldSchema("value", .real, .lww),
            FieldSchema("target", .real, .lww),
            FieldSchema("unit", .text, .lww, allowedValues: ["count", "USD", "EUR", "percent", "days"]),
            FieldSchema("source", .text, .lww, maxLength: 200),
            FieldSchema("owner", .uuid, .lww),
            FieldSchema("approved", .boolean, .lww),
            FieldSchema("sample_count", .integer, .lww),
            FieldSchema("comment", .text, .review, maxLength: 2_000),
        ]
    )

    /// The built-in collections and this one, for the benchmarks' server and replicas.
    static let catalog: Catalog = {
        do {
            return try Catalog.builtIn.adding(schema)
        } catch {
            preconditionFailure("the benchmark collection is declared wrongly: \(error)")
        }
    }()
}

/// A small, fast generator with a fixed seed, so every run measures the same data.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uuid() -> UUID {
        let a = next(), b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i)) }
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// Realistic KPI measurements: a few hundred KPIs, monthly periods, values near their targets.
struct MeasurementGenerator {
    private var random: SeededRandom
    private let kpis: [(id: UUID, metric: String, unit: String, source: String)]
    private let owners: [UUID]

    private static let metrics = [
        "marketing.mql_count", "marketing.cost_per_mql", "sales.sql_conversion_rate", "sales.pipeline_created",
        "sales.win_rate", "finance.arr_new", "finance.net_revenue_retention", "revops.sales_cycle_days",
        "revops.forecast_accuracy", "cs.gross_churn", "marketing.website_signups", "sales.average_deal_size",
    ]
    private static let units = ["count", "USD", "percent", "USD", "percent", "USD", "percent", "days", "percent", "percent", "count", "EUR"]
    private static let sources = [
        "salesforce/opportunities", "hubspot/contacts", "netsuite/invoices", "stripe/subscriptions", "snowflake/marts.kpi_daily",
    ]
    private static let comments = [
        "Within the acceptable variance; no action needed this period.",
        "Below target after the trade show was cancelled; see the decision log for the revised plan.",
        "Definition changed mid-period (MQL now requires a scored form fill); figures before the 12th use the old rule.",
        "Ahead of target thanks to the partner channel; Finance to confirm the attribution before the board pack.",
        "Data source lagged two days; the value was re-run on the 3rd and matches the warehouse.",
    ]

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        kpis = (0..<240).map { index in
            let metric = Self.metrics[index % Self.metrics.count]
            return (random.uuid(), "\(metric).segment_\(index / Self.metrics.count)", Self.units[index % Self.units.count],
                    Self.sources[index % Self.sources.count])
        }
        owners = (0..<40).map { _ in random.uuid() }
        self.random = random
    }

    mutating func id() -> UUID { random.uuid() }

    /// Every field of a new measurement; `index` spreads them over monthly periods.
    mutating func fields(index: Int) -> RecordFields {
        let kpi = kpis[Int(random.next() % UInt64(kpis.count))]
        let month = index % 120
        let start = Date(timeIntervalSince1970: 1_640_995_200 + Double(month) * 2_629_746)
        let target = Double(random.next() % 1_000_000) / 100 + 10
        let value = target * (0.7 + Double(random.next() % 6_000) / 10_000)
        return [
            "kpi": .text("kpis/\(kpi.id.uuidString.lowercased())"),
            "metric": .text(kpi.metric),
            "period_start": .text(FieldSchema.canonicalTime(start)),
            "period_end": .text(FieldSchema.canonicalTime(start.addingTimeInterval(2_629_746 - 1))),
            "value": .double((value * 100).rounded() / 100),
            "target": .double(target),
            "unit": .text(kpi.unit),
            "source": .text(kpi.source),
            "owner": .text(owners[Int(random.next() % UInt64(owners.count))].uuidString.lowercased()),
            "approved": .bool(random.next() % 3 != 0),
            "sample_count": .int(Int64(random.next() % 50_000)),
            "comment": .text(Self.comments[Int(random.next() % UInt64(Self.comments.count))]),
        ]
    }

    /// The fields a correction writes.
    static let correctedFields = ["value", "approved", "comment"]

    /// A later correction of a measurement: a new value and comment, as a re-run of the data source would make.
    mutating func correction() -> RecordFields {
        [
            "value": .double(Double(random.next() % 1_000_000) / 100),
            "approved": .bool(random.next() % 2 == 0),
            "comment": .text(Self.comments[Int(random.next() % UInt64(Self.comments.count))] + " Corrected after re-run."),
        ]
    }
}
