import Foundation

/// One value of an organization's setup as files show it: JSON fields (criteria, tiles, segments, holders)
/// as structure rather than JSON text, references as the other record's name rather than its id.
public indirect enum SetupValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([SetupValue])
    case map([String: SetupValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([SetupValue].self) { self = .list(value) }
        else { self = .map(try container.decode([String: SetupValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
        }
    }

    /// A JSON field's canonical text as structure.
    public init?(json text: String) {
        guard let value = try? JSONDecoder().decode(SetupValue.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    /// A value as a person reads it on one line: text as it is, a missing value as a dash, anything else as JSON.
    public static func shown(_ value: SetupValue?) -> String {
        switch value {
        case nil, .null?: "—"
        case .string(let text)?: text.replacingOccurrences(of: "\n", with: " ⏎ ")
        case let other?: other.json
        }
    }

    /// The value as canonical JSON text, for a JSON field.
    public var json: String {
        let raw = rawJSON
        return CanonicalJSON.canonical(raw) ?? raw
    }

    private var rawJSON: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): Self.quoted(value)
        case .list(let values): "[" + values.map(\.rawJSON).joined(separator: ",") + "]"
        case .map(let values): "{" + values.keys.sorted().map { Self.quoted($0) + ":" + values[$0]!.rawJSON }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
