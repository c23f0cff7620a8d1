import Foundation

/// How long a KPI's periods are.
public enum PeriodGrain: String, Sendable, Codable, CaseIterable {
    case week, month, quarter, year
}

/// A period a target or a measurement is for: an ISO week, a month, or a calendar or fiscal quarter or year.
/// Spelled `2026-W27`, `2026-07`, `2026-Q3`, `2026`, `FY2027-Q1`, `FY2027`. A fiscal year is named by the
/// calendar year it ends in, as most finance teams name it, and starts on the first day of the organization's
/// fiscal start month.
public struct Period: Sendable, Hashable, CustomStringConvertible, Comparable {
    public var grain: PeriodGrain
    public var fiscal: Bool
    /// Its first day and the day after its last, as days since 1970-01-01.
    public var start: Int64
    public var end: Int64
    public var description: String

    /// The periods' spellings, for error messages.
    public static let spelling = "2026-W27, 2026-07, 2026-Q3, 2026, FY2027-Q1 or FY2027"

    /// Parses `text`; `fiscalStartMonth` (1 to 12) places fiscal periods.
    public init?(_ text: String, fiscalStartMonth: Int = 1) {
        let upper = text.uppercased()
        if upper.hasPrefix("FY") {
            let rest = upper.dropFirst(2)
            let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
            guard let year = Int64(parts[0]), parts[0].count == 4, (1...12).contains(fiscalStartMonth) else { return nil }
            // FY2027 with a February start runs from 2026-02-01 to 2027-01-31.
            let startYear = fiscalStartMonth == 1 ? year : year - 1
            let yearStart = CanonicalTime.days(fromCivil: startYear, Int64(fiscalStartMonth), 1)
            switch parts.count {
            case 1:
                self.init(grain: .year, fiscal: true, start: yearStart, end: Self.addMonths(yearStart, 12), description: "FY\(year)")
            case 2 where parts[1].count == 2 && parts[1].first == "Q":
                guard let quarter = Int64(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
                let from = Self.addMonths(yearStart, (quarter - 1) * 3)
                self.init(grain: .quarter, fiscal: true, start: from, end: Self.addMonths(from, 3), description: "FY\(year)-Q\(quarter)")
            default:
                return nil
            }
            return
        }
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false)
        guard let year = Int64(parts[0]), parts[0].count == 4, year >= 1 else { return nil }
        switch parts.count {
        case 1:
            let from = CanonicalTime.days(fromCivil: year, 1, 1)
            self.init(grain: .year, fiscal: false, start: from, end: Self.addMonths(from, 12), description: String(format: "%04lld", year))
        case 2 where parts[1].first == "Q" && parts[1].count == 2:
            guard let quarter = Int64(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
            let from = CanonicalTime.days(fromCivil: year, (quarter - 1) * 3 + 1, 1)
            self.init(grain: .quarter, fiscal: false, start: from, end: Self.addMonths(from, 3), description: "\(parts[0])-Q\(quarter)")
        case 2 where parts[1].first == "W" && parts[1].count == 3:
            guard let week = Int64(parts[1].dropFirst()), week >= 1, week <= Self.isoWeeks(in: year) else { return nil }
            let from = Self.isoWeekOneMonday(year) + (week - 1) * 7
            self.init(grain: .week, fiscal: false, start: from, end: from + 7, description: "\(parts[0])-W\(parts[1].dropFirst())")
        case 2 where parts[1].count == 2:
            guard let month = Int64(parts[1]), (1...12).contains(month) else { return nil }
            let from = CanonicalTime.days(fromCivil: year, month, 1)
            self.init(grain: .month, fiscal: false, start: from, end: Self.addMonths(from, 1), description: "\(parts[0])-\(parts[1])")
        default:
            return nil
        }
    }

    init(grain: PeriodGrain, fiscal: Bool, start: Int64, end: Int64, description: String) {
        self.grain = grain
        self.fiscal = fiscal
        self.start = start
        self.end = end
        self.description = description
    }

    public static func < (lhs: Period, rhs: Period) -> Bool { (lhs.start, lhs.end) < (rhs.start, rhs.end) }

    public var days: Int64 { end - start }

    public func contains(_ other: Period) -> Bool { other.start >= start && other.end <= end }

    /// The months it spans, in order; a week spans none of them whole, so it gives none.
    public var months: [Period] {
        guard grain != .week else { return [] }
        var months: [Period] = []
        var day = start
        while day < end {
            months.append(Self.month(startingOn: day))
            day = Self.addMonths(day, 1)
        }
        return months
    }

    /// How much of the period has passed by the end of `day` (days since 1970-01-01), from 0 to 1.
    public func elapsed(through day: Int64) -> Double {
        min(1, max(0, Double(day + 1 - start) / Double(days)))
    }

    /// The period of the same grain `count` periods earlier (negative: later).
    public func shifted(by count: Int, fiscalStartMonth: Int = 1) -> Period {
        switch grain {
        case .week:
            let from = start - Int64(count) * 7
            return Self.week(containing: from)
        case .month, .quarter, .year:
            let months: Int64 = grain == .month ? 1 : grain == .quarter ? 3 : 12
            let from = Self.addMonths(start, -Int64(count) * months)
            return Self.period(grain, startingOn: from, fiscal: fiscal, fiscalStartMonth: fiscalStartMonth)
        }
    }

    /// The period of `grain` holding `day`.
    public static func containing(_ day: Int64, grain: PeriodGrain, fiscal: Bool = false, fiscalStartMonth: Int = 1) -> Period {
        if grain == .week { return week(containing: day) }
        let (year, month, _) = CanonicalTime.civil(fromDays: day)
        let first = fiscal ? Int64(fiscalStartMonth) : 1
        let monthsIntoYear = (month - first + 12) % 12
        let yearStart = addMonths(CanonicalTime.days(fromCivil: year, month, 1), -monthsIntoYear)
        switch grain {
        case .month: return period(.month, startingOn: CanonicalTime.days(fromCivil: year, month, 1), fiscal: false, fiscalStartMonth: fiscalStartMonth)
        case .quarter: return period(.quarter, startingOn: addMonths(yearStart, monthsIntoYear / 3 * 3), fiscal: fiscal, fiscalStartMonth: fiscalStartMonth)
        default: return period(.year, startingOn: yearStart, fiscal: fiscal, fiscalStartMonth: fiscalStartMonth)
        }
    }

    /// The period of `grain` starting on `day`, built from its days rather than parsed, so that no date, however
    /// far off, can fail to make one.
    private static func period(_ grain: PeriodGrain, startingOn day: Int64, fiscal: Bool, fiscalStartMonth: Int) -> Period {
        let (year, month, _) = CanonicalTime.civil(fromDays: day)
        switch grain {
        case .week, .month:
            return self.month(startingOn: day)
        case .quarter where !fiscal:
            return Period(grain: .quarter, fiscal: false, start: day, end: addMonths(day, 3), description: String(format: "%04lld-Q%lld", year, (month - 1) / 3 + 1))
        case .year where !fiscal:
            return Period(grain: .year, fiscal: false, start: day, end: addMonths(day, 12), description: String(format: "%04lld", year))
        case .quarter, .year:
            let monthsIn = (month - Int64(fiscalStartMonth) + 12) % 12
            let endYear = fiscalStartMonth == 1 ? year : (month >= Int64(fiscalStartMonth) ? year + 1 : year)
            let months: Int64 = grain == .year ? 12 : 3
            let text = grain == .year ? "FY\(endYear)" : "FY\(endYear)-Q\(monthsIn / 3 + 1)"
            return Period(grain: grain, fiscal: true, start: day, end: addMonths(day, months), description: text)
        }
    }

    private static func month(startingOn day: Int64) -> Period {
        let (year, month, _) = CanonicalTime.civil(fromDays: day)
        return Period(grain: .month, fiscal: false, start: day, end: addMonths(day, 1), description: String(format: "%04lld-%02lld", year, month))
    }

    private static func week(containing day: Int64) -> Period {
        // 1970-01-01 was a Thursday; ISO weeks start on Monday and belong to the year of their Thursday.
        let monday = day - ((day + 3) % 7 + 7) % 7
        let (year, _, _) = CanonicalTime.civil(fromDays: monday + 3)
        let week = (monday - isoWeekOneMonday(year)) / 7 + 1
        return Period(grain: .week, fiscal: false, start: monday, end: monday + 7, description: String(format: "%04lld-W%02lld", year, week))
    }

    private static func isoWeekOneMonday(_ year: Int64) -> Int64 {
        let january4 = CanonicalTime.days(fromCivil: year, 1, 4)
        return january4 - ((january4 + 3) % 7 + 7) % 7
    }

    private static func isoWeeks(in year: Int64) -> Int64 {
        (isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / 7
    }

    static func addMonths(_ day: Int64, _ months: Int64) -> Int64 {
        let (year, month, dayOfMonth) = CanonicalTime.civil(fromDays: day)
        let index = year * 12 + (month - 1) + months
        let (newYear, newMonth) = (index / 12, index % 12 + 1)
        return CanonicalTime.days(fromCivil: newYear, newMonth, dayOfMonth)
    }
}
