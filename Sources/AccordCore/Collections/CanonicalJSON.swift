import Foundation
import Synchronization

/// The one spelling of a `json` field's value: its object or array with keys sorted by their UTF-8 bytes, no
/// whitespace, integers as integers and other numbers as Swift spells a `Double`. The server and every client
/// spell a value alike whatever platform they run on, so they digest it alike.
public enum CanonicalJSON {
    /// The canonical text of `text`, or nil when it is not a JSON object or array. Small values repeat (a bulk
    /// import's million rows carry a few dozen segments, each read, checked and digested), so the last few
    /// thousand are remembered rather than parsed again.
    public static func canonical(_ text: String) -> String? {
        guard text.utf8.count <= 256 else { return parse(text) }
        // Strings that differ only in Unicode normalization are equal keys, but their canonical texts differ.
        if let known = remembered.withLock({ $0[text] }), known.source.utf8.elementsEqual(text.utf8) { return known.canonical }
        guard let parsed = parse(text) else { return nil }
        remembered.withLock { cache in
            if cache.count >= 4_096 { cache.removeAll(keepingCapacity: true) }
            cache[text] = (text, parsed)
        }
        return parsed
    }

    private static let remembered = Mutex<[String: (source: String, canonical: String)]>([:])

    private static func parse(_ text: String) -> String? {
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
