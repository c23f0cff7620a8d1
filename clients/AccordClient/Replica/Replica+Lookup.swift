public import AccordCore
public import Foundation
import GRDB

extension Replica {
    /// The record whose id is `reference` or starts with it, like a short git hash.
    public func recordID(_ collection: String, matching reference: String) throws -> UUID {
        let schema = try self.schema(collection)
        let prefix = reference.lowercased()
        let matches = try pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM \(schema.quotedTable) WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 2",
                arguments: [prefix.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"]
            )
        }
        switch matches.count {
        case 1: return UUID(uuidString: matches[0])!
        case 0: throw ClientError.notFound("there is no \(collection) record '\(reference)' in this replica; run accord records \(collection)")
        default: throw ClientError.invalidInput("'\(reference)' matches several \(collection) records; give more of the id")
        }
    }

    /// Who created and last changed a record, and when, as the server recorded it.
    public func metadata(_ collection: String, _ id: UUID) throws -> RecordMetadata? {
        let schema = try self.schema(collection)
        return try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT _seq, _created_by, _updated_by, _updated_at FROM \(schema.quotedTable) WHERE id = ?",
                arguments: [id.uuidString.lowercased()]
            ).map { row in
                RecordMetadata(
                    seq: row["_seq"], createdBy: (row["_created_by"] as String?).flatMap(UUID.init(uuidString:)),
                    updatedBy: (row["_updated_by"] as String?).flatMap(UUID.init(uuidString:)), updatedAt: ReplicaJSON.date(row["_updated_at"])
                )
            }
        }
    }

    /// The rejected change whose mutation id is `reference`.
    public func rejection(_ reference: String) throws -> RejectedChange {
        guard let id = Int64(reference), let rejected = try rejections().first(where: { $0.id == id }) else {
            throw ClientError.notFound("there is no rejected change '\(reference)'; run accord rejections")
        }
        return rejected
    }
}

/// A record's server bookkeeping: its last change, and who made it and when.
public struct RecordMetadata: Sendable, Equatable {
    public var seq: Int64
    public var createdBy: UUID?
    public var updatedBy: UUID?
    public var updatedAt: Date?
}

/// Parses `field=value` arguments by the collection's field types: `title=Q3 dip`, `pinned=true`,
/// `rank=3`; an empty value (`body=`) sets the field to null.
public enum FieldAssignments {
    public static func parse(_ arguments: [String], for schema: CollectionSchema) throws -> RecordFields {
        var fields: RecordFields = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ClientError.invalidInput("'\(argument)' is not field=value; the fields of \(schema.name) are \(schema.fields.map(\.name).joined(separator: ", "))")
            }
            let name = String(argument[..<equals])
            let text = String(argument[argument.index(after: equals)...])
            guard let field = schema.field(name) else {
                throw ClientError.invalidInput("\(name) is not a field of \(schema.name); its fields are \(schema.fields.map(\.name).joined(separator: ", "))")
            }
            fields[name] = try value(text, for: field)
        }
        return fields
    }

    static func value(_ text: String, for field: FieldSchema) throws -> FieldValue {
        if text.isEmpty { return .null }
        switch field.type {
        case .integer:
            guard let int = Int64(text) else { throw ClientError.invalidInput("\(field.name) must be a whole number, not '\(text)'") }
            return .int(int)
        case .real:
            guard let double = Double(text) else { throw ClientError.invalidInput("\(field.name) must be a number, not '\(text)'") }
            return .double(double)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw ClientError.invalidInput("\(field.name) must be true or false, not '\(text)'")
            }
        case .text, .timestamp, .uuid, .reference, .json, .date:
            return .text(text)
        }
    }
}
