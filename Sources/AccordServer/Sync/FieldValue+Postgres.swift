import AccordCore
import Foundation
import PostgresNIO

extension PostgresBindings {
    /// Binds `value` with the PostgreSQL type of `type`'s column, so no cast is needed in the statement.
    mutating func append(_ value: FieldValue, as type: FieldType) throws {
        switch (type, value) {
        case (_, .null):
            appendNull()
        case (.uuid, .text(let text)):
            guard let uuid = UUID(uuidString: text) else { throw Rejection(code: "invalid", reason: "'\(text)' is not a UUID") }
            append(uuid)
        case (.timestamp, .text(let text)):
            guard let date = FieldSchema.parseTime(text) else { throw Rejection(code: "invalid", reason: "'\(text)' is not an ISO 8601 time") }
            append(date)
        case (.real, .int(let int)):
            append(Double(int))
        case (_, .text(let text)):
            append(text)
        case (_, .int(let int)):
            append(int)
        case (_, .double(let double)):
            append(double)
        case (_, .bool(let bool)):
            append(bool)
        }
    }
}

extension FieldType {
    /// Reads a column of this type as a canonical field value.
    func value(of cell: PostgresCell) throws -> FieldValue {
        switch self {
        case .text, .reference:
            return try cell.decode(String?.self).map(FieldValue.text) ?? .null
        case .integer:
            return try cell.decode(Int64?.self).map(FieldValue.int) ?? .null
        case .real:
            return try cell.decode(Double?.self).map(FieldValue.double) ?? .null
        case .boolean:
            return try cell.decode(Bool?.self).map(FieldValue.bool) ?? .null
        case .timestamp:
            return try cell.decode(Date?.self).map { .text(FieldSchema.canonicalTime($0)) } ?? .null
        case .uuid:
            return try cell.decode(UUID?.self).map { .text($0.uuidString.lowercased()) } ?? .null
        }
    }
}

/// JSON for the jsonb columns of the change log and the per-field bookkeeping.
enum SyncJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
