public import Foundation

/// One measurement, readable.
public struct RecordedMeasurement: Sendable, Equatable, Codable {
    public var id: UUID
    public var kpi: UUID
    public var period: String
    /// The segment's canonical JSON, or nil for the whole organization.
    public var segment: String?
    public var value: Double
    public var numerator: Double?
    public var denominator: Double?
    public var source: String?
    public var recordedAt: Date?
    public var supersedes: UUID?
    /// The definition version in force when it was recorded.
    public var definitionVersion: UUID?

    public init?(id: UUID, fields: RecordFields) {
        guard let kpi = fields.reference("kpi", into: CollectionSchema.kpis.name), let period = fields.text("period"),
              let value = Self.number(fields["value"]) else { return nil }
        self.id = id
        self.kpi = kpi
        self.period = period
        segment = fields.text("segment")
        self.value = value
        numerator = Self.number(fields["numerator"])
        denominator = Self.number(fields["denominator"])
        source = fields.text("source")
        recordedAt = fields.time("recorded_at")
        supersedes = fields.reference("supersedes", into: CollectionSchema.measurements.name)
        definitionVersion = fields.reference("definition_version", into: CollectionSchema.definitionVersions.name)
    }

    public static func number(_ value: FieldValue?) -> Double? {
        switch value {
        case .double(let number)?: number
        case .int(let number)?: Double(number)
        default: nil
        }
    }
}

/// The measurements in force: every correction replaces the measurement it supersedes, and both stay
/// readable. Read "as of" a time, only what had been recorded by then counts.
public struct Actuals: Sendable {
    /// Every measurement, corrections included.
    public let all: [RecordedMeasurement]
    /// The current one per KPI, period and segment.
    public let current: [Key: RecordedMeasurement]
    /// The current ones of each KPI and period by segment, which roll-ups and segment tiles read without
    /// scanning every measurement.
    private let segmented: [Key: [RecordedMeasurement]]
    private let byID: [UUID: RecordedMeasurement]

    public struct Key: Hashable, Sendable {
        public var kpi: UUID
        public var period: String
        public var segment: String?

        public init(kpi: UUID, period: String, segment: String?) {
            self.kpi = kpi
            self.period = period
            self.segment = segment
        }
    }

    public init(records: [UUID: RecordFields], asOf: Date? = nil) {
        let measurements = records.compactMap { RecordedMeasurement(id: $0.key, fields: $0.value) }
            .filter { measurement in asOf.map { (measurement.recordedAt ?? .distantPast) <= $0 } ?? true }
        // Each id is spelled once, not once per comparison.
        all = measurements.map { ($0, $0.recordedAt ?? .distantPast, $0.id.uuidString) }.sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
        let superseded = Set(all.compactMap(\.supersedes))
        // Without a correction chain, the latest recorded wins, so a replayed import cannot resurrect an old value.
        current = all.filter { !superseded.contains($0.id) }.reduce(into: [:]) { result, measurement in
            result[Key(kpi: measurement.kpi, period: measurement.period, segment: measurement.segment)] = measurement
        }
        segmented = current.values.reduce(into: [:]) { result, measurement in
            if measurement.segment != nil { result[Key(kpi: measurement.kpi, period: measurement.period, segment: nil), default: []].append(measurement) }
        }
        byID = Dictionary(all.map { ($0.id, $0) }) { first, _ in first }
    }

    /// The current measurements of every segment of a KPI for a period, by segment.
    public func segments(_ kpi: UUID, _ period: String) -> [RecordedMeasurement] {
        (segmented[Key(kpi: kpi, period: period, segment: nil)] ?? []).sorted { ($0.segment ?? "") < ($1.segment ?? "") }
    }

    public func measurement(_ id: UUID) -> RecordedMeasurement? {
        byID[id]
    }

    /// The current value of a KPI for a period and segment.
    public func value(_ kpi: UUID, _ period: String, segment: String? = nil) -> RecordedMeasurement? {
        current[Key(kpi: kpi, period: period, segment: segment)]
    }

    /// Every version of one number, oldest first: the first measurement and its corrections.
    public func history(_ kpi: UUID, _ period: String, segment: String? = nil) -> [RecordedMeasurement] {
        all.filter { $0.kpi == kpi && $0.period == period && $0.segment == segment }
    }
}
