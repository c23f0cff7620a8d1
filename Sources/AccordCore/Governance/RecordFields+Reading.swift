public import Foundation

extension Dictionary where Key == String, Value == FieldValue {
    /// The text of a field, or nil when it is null, absent or not text.
    public func text(_ name: String) -> String? {
        if case .text(let text)? = self[name] { return text }
        return nil
    }

    public func int(_ name: String) -> Int64? {
        if case .int(let value)? = self[name] { return value }
        return nil
    }

    public func bool(_ name: String) -> Bool {
        if case .bool(let value)? = self[name] { return value }
        return false
    }

    public func uuid(_ name: String) -> UUID? {
        text(name).flatMap(UUID.init(uuidString:))
    }

    public func time(_ name: String) -> Date? {
        text(name).flatMap(FieldSchema.parseTime)
    }

    /// The id a `reference` field points at, when it points into `collection`.
    public func reference(_ name: String, into collection: String) -> UUID? {
        guard let text = text(name), text.hasPrefix(collection + "/") else { return nil }
        return UUID(canonical: String(text.dropFirst(collection.count + 1)))
    }

    /// A `json` field holding an array of strings; empty when it holds anything else.
    public func strings(_ name: String) -> [String] {
        guard let text = text(name), let array = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return array
    }
}

extension FieldValue {
    /// A `json` field's value for an array of strings.
    public static func strings(_ values: [String]) -> FieldValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .text(String(decoding: (try? encoder.encode(values)) ?? Data("[]".utf8), as: UTF8.self))
    }

    /// A `reference` field's value.
    public static func reference(_ collection: String, _ id: UUID) -> FieldValue {
        .text("\(collection)/\(id.lowercasedText)")
    }
}
