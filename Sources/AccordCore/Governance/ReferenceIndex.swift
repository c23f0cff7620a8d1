public import Foundation

/// Every place a record refers to another: its `reference` fields, lists of references in its `json` fields
/// (a decision's links), and `[[Term]]` links in its Markdown fields. Collections feed it by declaring their
/// fields; nothing else needs to know they exist.
public enum ReferenceIndex {
    /// One record that refers to the definition.
    public struct Entry: Sendable, Equatable, Codable {
        public var collection: String
        public var id: UUID
        /// A readable name for the record: its title, term or name.
        public var title: String
        public var field: String
        /// `reference` or `link`.
        public var via: String
    }

    /// The `[[Term]]` links of a Markdown text, as written.
    public static func links(in text: String) -> [String] {
        var links: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "[["), let close = rest[open.upperBound...].range(of: "]]") {
            let inside = rest[open.upperBound..<close.lowerBound]
            if !inside.isEmpty, !inside.contains("\n") { links.append(String(inside.split(separator: "|").first ?? inside).trimmingCharacters(in: .whitespaces)) }
            rest = rest[close.upperBound...]
        }
        return links
    }

    /// The fields through which a record of `schema` can refer to something.
    public static func referringFields(of schema: CollectionSchema) -> [FieldSchema] {
        schema.fields.filter { $0.type == .reference || $0.markdown || ($0.type == .json && $0.name == "links") }
    }

    /// The records of `records` (by collection) that refer to the definition `id`, known by `terms` (its term and
    /// synonyms), other than its own versions and responses to them.
    public static func impact(of id: UUID, terms: [String], in records: [(schema: CollectionSchema, records: [UUID: RecordFields])]) -> [Entry] {
        let target = "\(CollectionSchema.definitions.name)/\(id.lowercasedText)"
        let names = Set(terms.map { $0.lowercased() })
        var entries: [Entry] = []
        for (schema, byID) in records where !referringFields(of: schema).isEmpty {
            for (recordID, fields) in byID {
                if isOwnHistory(schema, fields, of: target) { continue }
                for field in referringFields(of: schema) {
                    guard let text = fields.text(field.name) else { continue }
                    let via: String?
                    if field.type == .reference || field.type == .json {
                        via = text == target || (field.type == .json && text.contains("\"\(target)\"")) ? "reference" : nil
                    } else {
                        via = links(in: text).contains { names.contains($0.lowercased()) } ? "link" : nil
                    }
                    if let via {
                        entries.append(Entry(collection: schema.name, id: recordID, title: title(of: fields), field: field.name, via: via))
                    }
                }
            }
        }
        return entries.sorted { ($0.collection, $0.title, $0.field) < ($1.collection, $1.title, $1.field) }
    }

    /// A definition's own versions, and versions no longer in force, are its history, not what depends on it.
    private static func isOwnHistory(_ schema: CollectionSchema, _ fields: RecordFields, of target: String) -> Bool {
        guard schema.name == CollectionSchema.definitionVersions.name else { return false }
        return fields.text("definition") == target || fields.text("status") != ProposalStatus.approved.rawValue
    }

    private static func title(of fields: RecordFields) -> String {
        fields.text("title") ?? fields.text("term") ?? fields.text("name") ?? fields.text("comment").map { String($0.prefix(60)) } ?? ""
    }
}
