import Foundation

/// Writes `value` as pretty JSON on standard output, keys sorted so that two runs can be diffed.
func printJSON(_ value: some Encodable) throws {
    print(try jsonText(value))
}

func jsonText(_ value: some Encodable) throws -> String {
    String(decoding: try JSONOutput.encoder.encode(value), as: UTF8.self)
}

enum JSONOutput {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

/// Writes a JSON array one element at a time, so a list of any length streams, laid out as `printJSON` lays
/// out a whole array.
struct JSONArrayWriter {
    private let encoder = JSONOutput.encoder
    private var count = 0

    mutating func append(_ value: some Encodable) throws {
        let element = "  " + String(decoding: try encoder.encode(value), as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  ")
        print(count == 0 ? "[\n" + element : ",\n" + element, terminator: "")
        count += 1
    }

    func finish() {
        print(count == 0 ? "[]" : "\n]")
    }
}
