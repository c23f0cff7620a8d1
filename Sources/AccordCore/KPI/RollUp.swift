/// How a KPI's values combine across segments and periods.
public enum Aggregation: Sendable, Equatable, Codable {
    case sum, average, last, min, max, count
    /// A ratio of two other KPIs (by key), such as MQL→SQL conversion from SQLs and MQLs.
    case ratio(numerator: String, denominator: String)

    /// Whether its values add up across segments and months, so a target can be phased over months.
    public var isAdditive: Bool {
        switch self {
        case .sum, .count: true
        default: false
        }
    }
}

/// One value of a KPI in a roll-up: for a ratio KPI, its numerator and denominator, so the ratio is taken of
/// the sums and never averaged; for a weighted roll-up, its weight.
public struct RollUpValue: Sendable, Equatable {
    public var value: Double
    public var numerator: Double?
    public var denominator: Double?
    public var weight: Double?

    public init(_ value: Double, numerator: Double? = nil, denominator: Double? = nil, weight: Double? = nil) {
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.weight = weight
    }
}

public enum RollUp {
    /// Combines values in their order (the order matters for `last`). Nil when there is nothing to combine,
    /// or a ratio whose denominators sum to zero.
    public static func combine(_ values: [RollUpValue], _ aggregation: Aggregation) -> Double? {
        guard !values.isEmpty else { return nil }
        switch aggregation {
        case .sum: return values.reduce(0) { $0 + $1.value }
        case .count: return values.reduce(0) { $0 + $1.value }
        case .last: return values.last?.value
        case .min: return values.map(\.value).min()
        case .max: return values.map(\.value).max()
        case .average:
            let weighted = values.filter { $0.weight != nil }
            guard weighted.count == values.count else { return values.reduce(0) { $0 + $1.value } / Double(values.count) }
            let total = weighted.reduce(0) { $0 + $1.weight! }
            return total == 0 ? nil : weighted.reduce(0) { $0 + $1.value * $1.weight! } / total
        case .ratio:
            let numerator = values.reduce(0) { $0 + ($1.numerator ?? 0) }
            let denominator = values.reduce(0) { $0 + ($1.denominator ?? 0) }
            return denominator == 0 ? nil : numerator / denominator
        }
    }
}

/// A quarter's or a year's target split into its months.
public enum Phasing: Sendable, Equatable {
    case even
    /// Relative weights, one per month.
    case weights([Double])
    /// The months' own values, which must add up to the target for an additive KPI.
    case explicit([Double])

    /// The months' targets, or why they cannot be: a wrong count, negative or zero weights, or explicit values
    /// that do not add up to the target (within a cent in 10,000, for rounding).
    public func split(_ target: Double, over months: Int, additive: Bool) -> Result<[Double], PhasingError> {
        guard months > 0 else { return .failure(PhasingError(reason: "the period has no whole months to phase over")) }
        switch self {
        case .even:
            return .success(Array(repeating: additive ? target / Double(months) : target, count: months))
        case .weights(let weights):
            guard weights.count == months else { return .failure(PhasingError(reason: "\(weights.count) weights for \(months) months; give one per month")) }
            guard weights.allSatisfy({ $0 >= 0 }), weights.reduce(0, +) > 0 else { return .failure(PhasingError(reason: "weights must be zero or more, and not all zero")) }
            let total = weights.reduce(0, +)
            return .success(weights.map { additive ? target * $0 / total : target })
        case .explicit(let values):
            guard values.count == months else { return .failure(PhasingError(reason: "\(values.count) values for \(months) months; give one per month")) }
            let sum = values.reduce(0, +)
            if additive, abs(sum - target) > max(0.01, abs(target) * 0.0001) {
                return .failure(PhasingError(reason: "the months add up to \(Self.format(sum)), not the target \(Self.format(target))"))
            }
            return .success(values)
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }
}

public struct PhasingError: Error, Equatable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// The last periods' values of a KPI, oldest first, with gaps where nothing was measured.
public enum Trend {
    public static func series(ending period: Period, count: Int, fiscalStartMonth: Int = 1, value: (Period) -> Double?) -> [(period: Period, value: Double?)] {
        (0..<max(0, count)).reversed().map { back in
            let earlier = period.shifted(by: back, fiscalStartMonth: fiscalStartMonth)
            return (earlier, value(earlier))
        }
    }

    /// The least-squares slope per period of the values there are; nil with fewer than two.
    public static func slope(_ values: [Double?]) -> Double? {
        let points = values.enumerated().compactMap { index, value in value.map { (Double(index), $0) } }
        guard points.count >= 2 else { return nil }
        let meanX = points.reduce(0) { $0 + $1.0 } / Double(points.count)
        let meanY = points.reduce(0) { $0 + $1.1 } / Double(points.count)
        let covariance = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let variance = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        return variance == 0 ? nil : covariance / variance
    }
}
