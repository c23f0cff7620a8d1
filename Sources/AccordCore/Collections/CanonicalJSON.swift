public import Foundation

/// The one spelling of a `json` field's value: its object or array with keys sorted by their UTF-8 bytes, no
/// whitespace, integers as integers and other numbers as Swift spells a `Double`. The server and every client
/// spell a value alike whatever platform they run on, so they digest it alike.
public enum CanonicalJSON {
    /// The canonical text of `text`, or nil when it is not a JSON object or array.
    public static func canonical(_ text: String) -> String? {
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(text.utf8)) else { return nil }
        switch value {
        case .object, .array:
            var output = ""
            value.write(to: &output)
            return output
        default:
            return nil
        }
    }

    /// A parsed JSON value, read by `JSONDecoder` so that numbers keep the precision it gives them.
    enum Value: Decodable {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([Value])
        case object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let int = try? container.decode(Int64.self) {
                self = .int(int)
            } else if let double = try? container.decode(Double.self) {
                self = .double(double)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let array = try? container.decode([Value].self) {
                self = .array(array)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        func write(to output: inout String) {
            switch self {
            case .null: output += "null"
            case .bool(let bool): output += bool ? "true" : "false"
            case .int(let int): output += String(int)
            // A whole double within Int64 is written as the integer it is, so 3 and 3.0 are one value.
            case .double(let double):
                if let whole = Int64(exactly: double) { output += String(whole) } else { output += double.isFinite ? double.description : "null" }
            case .string(let string): CanonicalJSON.quote(string, into: &output)
            case .array(let values):
                output += "["
                for (index, value) in values.enumerated() {
                    if index > 0 { output += "," }
                    value.write(to: &output)
                }
                output += "]"
            case .object(let members):
                output += "{"
                for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                    if index > 0 { output += "," }
                    CanonicalJSON.quote(key, into: &output)
                    output += ":"
                    members[key]!.write(to: &output)
                }
                output += "}"
            }
        }
    }

    /// A JSON string literal, escaping only what JSON requires.
    static func quote(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

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
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The `YYYY-MM-DD` text of a day counted from 1970-01-01.
    public static func text(days: Int64) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
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
