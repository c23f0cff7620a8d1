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
        case (.date, .text(let text)):
            guard let days = CalendarDate.days(text) else { throw Rejection(code: "invalid", reason: "'\(text)' is not a date such as 2026-07-01") }
            try append(PostgresCalendarDate(daysSince1970: days))
        case (.json, .text(let text)):
            try append(PostgresJSONText(text: text))
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
            return try cell.decode(UUID?.self).map { .text($0.lowercasedText) } ?? .null
        case .date:
            return try cell.decode(PostgresCalendarDate?.self).map { .text(CalendarDate.text(days: $0.daysSince1970)) } ?? .null
        case .json:
            // jsonb spells its text its own way (with spaces); the canonical spelling is the one every side keeps.
            return try cell.decode(String?.self).map { .text(CanonicalJSON.canonical($0) ?? $0) } ?? .null
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

    /// Fields as JSON for the change log's jsonb columns, without the encoder for the shapes every created
    /// record logs: no fields (what it overrode) and every field null (what it replaced). Field names are
    /// identifiers, which need no escaping; key order is PostgreSQL's to keep, so it is not the encoder's.
    static func logText(_ fields: RecordFields) throws -> String {
        if fields.isEmpty { return "{}" }
        guard fields.values.allSatisfy({ $0 == .null }), fields.keys.allSatisfy(\.isPlainIdentifier) else {
            return String(decoding: try encoder.encode(fields), as: UTF8.self)
        }
        return "{" + fields.keys.sorted().map { "\"\($0)\":null" }.joined(separator: ",") + "}"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// A `date` column's value in PostgreSQL's binary form: days since 2000-01-01, so no time zone is involved.
struct PostgresCalendarDate: PostgresEncodable, PostgresDecodable {
    static let epochOffset: Int64 = 10_957
    var daysSince1970: Int64

    init(daysSince1970: Int64) {
        self.daysSince1970 = daysSince1970
    }

    static var psqlType: PostgresDataType { .date }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        byteBuffer.writeInteger(Int32(truncatingIfNeeded: daysSince1970 - Self.epochOffset))
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .date, format == .binary, let days = buffer.readInteger(as: Int32.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        daysSince1970 = Int64(days) + Self.epochOffset
    }
}

/// A `jsonb` column's value from JSON text, sent in PostgreSQL's binary form (a version byte, then the text).
struct PostgresJSONText: PostgresEncodable {
    var text: String

    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        byteBuffer.writeInteger(UInt8(1))
        byteBuffer.writeString(text)
    }
}

extension String {
    /// Letters, digits and underscores only: JSON needs no escape for it.
    fileprivate var isPlainIdentifier: Bool {
        !isEmpty && utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
