import Foundation

/// Which way a KPI should move.
public enum KPIDirection: String, Sendable, Codable, CaseIterable {
    case higherIsBetter = "higher_is_better"
    case lowerIsBetter = "lower_is_better"
    /// Stay within the acceptable variance of the target, either side.
    case withinRange = "within_range"
}

/// How far from its target a KPI may be and still be acceptable.
public enum VarianceBand: Sendable, Equatable, Codable {
    case absolute(Double)
    /// A percentage of the target, such as 10 for ±10%.
    case percent(Double)

    /// The band's width around `target`, in the KPI's unit.
    public func width(around target: Double) -> Double {
        switch self {
        case .absolute(let amount): abs(amount)
        case .percent(let percent): abs(target) * abs(percent) / 100
        }
    }
}

/// Where a KPI stands.
public enum KPIStatus: String, Sendable, Codable, CaseIterable {
    case onTrack = "on_track"
    /// Short of the target, but inside the acceptable variance.
    case atRisk = "at_risk"
    case offTrack = "off_track"
    /// No target for the period: Accord does not guess one.
    case noTarget = "no_target"
    /// No measurement for the period yet.
    case noData = "no_data"
}

/// How the expected value builds up over a period, for KPIs that accumulate (pipeline created, MQLs).
public enum Pacing: Sendable, Equatable {
    /// Evenly over the period.
    case linear
    /// Through milestones: at each fraction of the period (0 to 1), the fraction of the target expected
    /// by then, either held until the next milestone (`step`) or drawn straight between them.
    case milestones([(at: Double, share: Double)], step: Bool)

    public static func == (lhs: Pacing, rhs: Pacing) -> Bool {
        switch (lhs, rhs) {
        case (.linear, .linear): true
        case (.milestones(let a, let stepA), .milestones(let b, let stepB)):
            stepA == stepB && a.count == b.count && zip(a, b).allSatisfy { $0.at == $1.at && $0.share == $1.share }
        default: false
        }
    }

    /// The share of the target expected once `elapsed` (0 to 1) of the period has passed.
    public func share(at elapsed: Double) -> Double {
        switch self {
        case .linear:
            return min(1, max(0, elapsed))
        case .milestones(let points, let step):
            let sorted = ([(at: 0.0, share: 0.0)] + points.sorted { $0.at < $1.at }) + [(at: 1.0, share: 1.0)]
            guard let next = sorted.firstIndex(where: { $0.at > elapsed }) else { return 1 }
            let before = sorted[next - 1], after = sorted[next]
            if step { return before.share }
            let span = after.at - before.at
            return span <= 0 ? after.share : before.share + (after.share - before.share) * (elapsed - before.at) / span
        }
    }
}

/// One KPI's numbers for one period: what it is, what it should be, and what that means. The same function
/// serves the server and every replica.
public struct KPIReading: Sendable, Equatable, Codable {
    public var actual: Double?
    public var target: Double?
    /// Where a cumulative KPI should be by now; the target itself once the period is over, or for a
    /// point-in-time KPI.
    public var expected: Double?
    public var variance: Double?
    /// The variance as a percentage of what was expected; nil when that is zero.
    public var variancePercent: Double?
    public var lower: Double?
    public var upper: Double?
    public var status: KPIStatus
    /// Where the period lands at the current run rate (cumulative KPIs), or the latest value.
    public var forecast: Double?
    public var forecastStatus: KPIStatus?

    /// Judges `actual` against `target` with its band, `elapsed` (0 to 1) of the way through the period.
    /// A cumulative KPI is compared with the share of the target its pacing expects by now, and forecast at
    /// its run rate; a point-in-time KPI is compared with the target itself.
    public static func judge(
        actual: Double?, target: Double?, band: VarianceBand?, direction: KPIDirection, cumulative: Bool, elapsed: Double, pacing: Pacing = .linear
    ) -> KPIReading {
        guard let target else {
            return KPIReading(actual: actual, target: nil, expected: nil, variance: nil, variancePercent: nil, lower: nil, upper: nil, status: .noTarget, forecast: nil, forecastStatus: nil)
        }
        let share = cumulative ? pacing.share(at: elapsed) : 1
        let expected = target * share
        let width = (band ?? .absolute(0)).width(around: target) * share
        let (lower, upper) = (expected - width, expected + width)
        guard let actual else {
            return KPIReading(actual: nil, target: target, expected: expected, variance: nil, variancePercent: nil, lower: lower, upper: upper, status: .noData, forecast: nil, forecastStatus: nil)
        }
        let variance = actual - expected
        let forecast: Double = cumulative && elapsed > 0 && share > 0 ? actual / share : actual
        let fullWidth = (band ?? .absolute(0)).width(around: target)
        return KPIReading(
            actual: actual, target: target, expected: expected, variance: variance, variancePercent: expected == 0 ? nil : variance / abs(expected) * 100,
            lower: lower, upper: upper, status: status(actual, expected: expected, width: width, direction: direction), forecast: forecast,
            forecastStatus: status(forecast, expected: target, width: fullWidth, direction: direction)
        )
    }

    /// On track at or beyond the expected value in the good direction (or inside the band for a range),
    /// at risk inside the band, off track outside it.
    static func status(_ value: Double, expected: Double, width: Double, direction: KPIDirection) -> KPIStatus {
        switch direction {
        case .higherIsBetter:
            return value >= expected ? .onTrack : value >= expected - width ? .atRisk : .offTrack
        case .lowerIsBetter:
            return value <= expected ? .onTrack : value <= expected + width ? .atRisk : .offTrack
        case .withinRange:
            return abs(value - expected) <= width ? .onTrack : .offTrack
        }
    }
}
