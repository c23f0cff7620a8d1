public import Foundation

/// The canonical spelling of a time, `2026-11-24T09:30:00.000Z` (UTC, milliseconds), written and read without
/// a date formatter: every record's digest spells its times this way, and a formatter costs microseconds per call.
public enum CanonicalTime {
    /// The date rounded to the millisecond, in UTC.
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1_000).rounded())
        let (days, dayMillis) = floorDivision(millis, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        var text = [UInt8]()
        text.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(year, 4); text.append(UInt8(ascii: "-"))
        digits(month, 2); text.append(UInt8(ascii: "-"))
        digits(day, 2); text.append(UInt8(ascii: "T"))
        digits(dayMillis / 3_600_000, 2); text.append(UInt8(ascii: ":"))
        digits(dayMillis / 60_000 % 60, 2); text.append(UInt8(ascii: ":"))
        digits(dayMillis / 1_000 % 60, 2); text.append(UInt8(ascii: "."))
        digits(dayMillis % 1_000, 3); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; nil for any other shape or an impossible date.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// The same, from the text's UTF-8 bytes.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        milliseconds(bytes).map { Date(timeIntervalSince1970: Double($0) / 1_000) }
    }

    /// Whether `text` is already spelled as `format` spells its time, which spares parsing and spelling it again.
    public static func isCanonical(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isCanonical(bytes: UnsafeRawBufferPointer($0)) }
    }

    static func isCanonical(bytes: UnsafeRawBufferPointer) -> Bool {
        let bytes = bytes.assumingMemoryBound(to: UInt8.self)
        return bytes.count == 24 && bytes[19] == UInt8(ascii: ".") && milliseconds(bytes) != nil
    }

    /// Milliseconds since 1970 of a time in the shape `parse` reads.
    private static func milliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<start + count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        let (dash, colon) = (UInt8(ascii: "-"), UInt8(ascii: ":"))
        guard bytes[4] == dash, bytes[7] == dash, bytes[10] == UInt8(ascii: "T"), bytes[13] == colon, bytes[16] == colon,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
        else { return nil }
        var millis: Int64 = 0
        if bytes.count > 20 {
            // A fraction of any length, read to the millisecond and rounded like `format`.
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21, bytes.count - 21 <= 18, let fraction = number(20, bytes.count - 21) else { return nil }
            let places = bytes.count - 21
            var scale: Double = 1
            for _ in 0..<places { scale *= 10 }
            millis = Int64((Double(fraction) / scale * 1_000).rounded())
        }
        return (days(fromCivil: year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000 + millis
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    // Howard Hinnant's days-from-civil and civil-from-days, for the proleptic Gregorian calendar.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (month <= 2 ? yearOfEra + era * 400 + 1 : yearOfEra + era * 400, month, day)
    }
}
