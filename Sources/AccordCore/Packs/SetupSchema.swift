import Foundation

/// JSON Schema (2020-12) for each kind's file, from the collections' declarations, so editors can check a
/// file as it is written and a pipeline can lint a pack before importing it.
public enum SetupSchema {
    /// The schema of `kind`'s file, as pretty-printed JSON with sorted keys.
    public static func text(for kind: SetupKind, catalog: Catalog = .builtIn) throws -> String {
        let schema = try catalog.schema(kind.collection)
        var properties: [String: Any] = [:]
        var required: [String] = []
        for name in kind.fields {
            guard let field = schema.field(name) ?? CollectionSchema.definitionVersions.field(name) else { continue }
            properties[name] = property(field, reference: kind.references[name])
            // A definition's text fields belong to its versions, and some KPIs have no definition yet.
            if field.required, !field.serverOwned, schema.field(name) != nil, kind.references[name] == nil { required.append(name) }
        }
        let record: [String: Any] = ["type": "object", "additionalProperties": false, "properties": properties, "required": required.sorted()]
        let document: [String: Any] = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Accord \(kind.name.replacingOccurrences(of: "_", with: " "))",
            "description": "Each record under its name (\(kind.keyFields.joined(separator: OrgSetup.keySeparator))), mapped to its fields. References name the other record.",
            "type": "object",
            "additionalProperties": record,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func property(_ field: FieldSchema, reference: String?) -> [String: Any] {
        var property: [String: Any]
        switch field.type {
        case .integer: property = ["type": "integer"]
        case .real: property = ["type": "number"]
        case .boolean: property = ["type": "boolean"]
        case .date: property = ["type": "string", "format": "date"]
        case .timestamp: property = ["type": "string", "format": "date-time"]
        case .json: property = ["type": ["array", "object"]]
        case .reference: property = ["type": "string", "description": "The name of a record of \(reference ?? "another kind")"]
        case .text, .uuid: property = ["type": "string"]
        }
        if let values = field.allowedValues { property["enum"] = values }
        if let length = field.maxLength, field.type == .text { property["maxLength"] = length }
        return property
    }
}
