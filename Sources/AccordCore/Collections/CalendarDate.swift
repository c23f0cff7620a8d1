public import Foundation

/// A calendar date such as `2026-07-01`, the value of a `date` field: a day, with no time and no time zone.
public enum CalendarDate {
    /// Days since 1970-01-01 of a valid `YYYY-MM-DD` date, or nil.
    public static func days(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            bytes[range].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ? Int64(String(decoding: bytes[range], as: UTF8.self)) : nil
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1,
              (1...12).contains(month), (1...daysIn(month, of: year)).contains(day)
        else { return nil }
        return CanonicalTime.days(fromCivil: year, month, day)
    }

    /// The `YYYY-MM-DD` text of a day counted from 1970-01-01.
    public static func text(days: Int64) -> String {
        let (year, month, day) = CanonicalTime.civil(fromDays: days)
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    private static func daysIn(_ month: Int64, of year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension CalendarDate {
    /// The UTC day of `date`, as `YYYY-MM-DD`.
    public static func text(_ date: Date) -> String {
        text(days: Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
