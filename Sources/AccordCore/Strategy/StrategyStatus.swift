import Foundation

/// What the data says about the strategy: whether each constraint still holds, which plays are past their stop
/// criteria, and when each SLA was breached. Read from the KPI spine, so the server and a replica offline say
/// the same, as of the same moment.
extension KPISpine {
    /// How far back a reading looks for a KPI's latest measured period.
    public static let lookBack = 12

    /// A KPI's latest value (in a segment, or for the whole organization) in the periods of its grain up to the
    /// one holding `asOf` (the one before, for a cumulative KPI), and that period.
    public func latest(_ kpi: KPI, segment: String? = nil) -> (period: Period, value: Double)? {
        let current = currentPeriod(kpi.grain)
        for back in judged(kpi) {
            let period = current.shifted(by: back, fiscalStartMonth: settings.fiscalYearStartMonth)
            if let value = value(kpi, period, segment: segment)?.value { return (period, value) }
        }
        return nil
    }

    /// How many periods back a reading looks: from the current one for a rate or a level, but from the last
    /// complete one for a KPI that accumulates, whose running period is only partly counted.
    private func judged(_ kpi: KPI) -> Range<Int> {
        kpi.cumulative ? 1..<(Self.lookBack + 1) : 0..<Self.lookBack
    }

    /// Whether a constraint still holds, by its KPI's latest value.
    public func reading(ofConstraint fields: RecordFields) -> ConstraintReading {
        guard let kpi = fields.reference("kpi", into: CollectionSchema.kpis.name).flatMap({ kpis[$0] }),
              let side = fields.text("direction").flatMap(ThresholdSide.init), let threshold = RecordedMeasurement.number(fields["threshold"]),
              let (period, value) = latest(kpi, segment: fields.text("segment")) else {
            return ConstraintReading(state: .noData, kpi: fields.reference("kpi", into: CollectionSchema.kpis.name).flatMap { kpis[$0]?.key })
        }
        return ConstraintReading(state: side.holds(value, threshold) ? .holds : .cleared, kpi: kpi.key, period: period.description, value: value)
    }

    /// Why an active or proposed play is past its stop criteria, or nil: its stop date has passed, or its stop
    /// KPI's latest value is on the wrong side of the threshold.
    public func stopReason(ofPlay fields: RecordFields) -> String? {
        guard let status = fields.text("status").flatMap(PlayStatus.init), status == .active || status == .proposed else { return nil }
        let today = CalendarDate.text(asOf)
        if let stopOn = fields.text("stop_on"), stopOn < today { return "past its stop date \(stopOn)" }
        guard let kpi = fields.reference("stop_kpi", into: CollectionSchema.kpis.name).flatMap({ kpis[$0] }),
              let side = fields.text("stop_when").flatMap(ThresholdSide.init), let threshold = RecordedMeasurement.number(fields["stop_threshold"]),
              let (period, value) = latest(kpi), side.holds(value, threshold) else { return nil }
        return "\(kpi.key) is \(side.rawValue) \(StrategyFormat.number(threshold)): \(StrategyFormat.number(value)) in \(period)"
    }

    /// Each period (of the last `lookBack`, as `latest` counts them) in which an SLA's KPI, for the whole
    /// organization, was on the breaching side of its threshold, latest first. Segments are not judged on
    /// their own: a threshold on a total means nothing for a region's share of it.
    public func breaches(ofSLA fields: RecordFields) -> [SLABreach] {
        guard let kpi = fields.reference("kpi", into: CollectionSchema.kpis.name).flatMap({ kpis[$0] }),
              let side = fields.text("breached_when").flatMap(ThresholdSide.init), let threshold = RecordedMeasurement.number(fields["threshold"]) else { return [] }
        let current = currentPeriod(kpi.grain)
        return judged(kpi).compactMap { back -> SLABreach? in
            let period = current.shifted(by: back, fiscalStartMonth: settings.fiscalYearStartMonth)
            guard let value = value(kpi, period)?.value, side.holds(value, threshold) else { return nil }
            return SLABreach(period: period.description, value: value, threshold: threshold)
        }
    }
}

/// Whether a constraint still holds, and the value that says so.
public struct ConstraintReading: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// The KPI is still on the constraint's side of the threshold: it still blocks.
        case holds
        /// The KPI has crossed the threshold: the constraint no longer blocks.
        case cleared
        case noData = "no_data"
    }

    public var state: State
    public var kpi: String?
    public var period: String?
    public var value: Double?

    public init(state: State, kpi: String?, period: String? = nil, value: Double? = nil) {
        self.state = state
        self.kpi = kpi
        self.period = period
        self.value = value
    }
}

/// One period in which an SLA was breached.
public struct SLABreach: Sendable, Equatable, Codable {
    public var period: String
    public var value: Double
    public var threshold: Double

    public init(period: String, value: Double, threshold: Double) {
        self.period = period
        self.value = value
        self.threshold = threshold
    }
}

enum StrategyFormat {
    /// A number as a person writes it: 20, 12.5, not 20.0.
    static func number(_ value: Double) -> String {
        KPIRules.format(.double(value))
    }
}
