import AccordCore
import Foundation
import GRDB

extension FieldValue {
    /// The value as SQLite stores it: booleans as 0 and 1, everything else as itself.
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .bool(let bool): (bool ? 1 : 0).databaseValue
        case .int(let int): int.databaseValue
        case .double(let double): double.databaseValue
        case .text(let text): text.databaseValue
        }
    }
}

extension FieldType {
    /// The SQLite column type; times, UUIDs and references are canonical text.
    var sqliteType: String {
        switch self {
        case .text, .timestamp, .uuid, .reference, .json, .date: "TEXT"
        case .integer, .boolean: "INTEGER"
        case .real: "REAL"
        }
    }

    /// Reads an integer column of this type back as a field value: SQLite stores booleans, and reals that are whole, as integers.
    func value(ofInteger int: Int64) -> FieldValue {
        self == .boolean ? .bool(int != 0) : self == .real ? .double(Double(int)) : .int(int)
    }

    /// Reads a column of this type back as a field value.
    func value(of databaseValue: DatabaseValue) -> FieldValue {
        switch databaseValue.storage {
        case .null: .null
        case .int64(let int): value(ofInteger: int)
        case .double(let double): .double(double)
        case .string(let text): .text(text)
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}

extension CollectionSchema {
    /// The columns every read of a record selects, in this order, so its fields are read by position:
    /// GRDB's lookup of a column by name lowercases the name on every call, which cost more than the rest of
    /// reading the thousands of rows behind a dashboard.
    var selectedColumns: String { "id, _seq, " + quotedColumns }

    /// The fields of a row selected with `selectedColumns` (and any columns after them).
    func fields(of row: Row) -> RecordFields {
        var fields = RecordFields(minimumCapacity: self.fields.count)
        for (offset, field) in self.fields.enumerated() {
            fields[field.name] = field.type.value(of: row[offset + 2] as DatabaseValue)
        }
        return fields
    }

    /// The record in a row selected with `selectedColumns`, or nil for an id that is not a UUID.
    func localRecord(_ row: Row) -> LocalRecord? {
        UUID(canonical: row[0]).map { LocalRecord(id: $0, seq: row[1], fields: fields(of: row)) }
    }

    /// The table's name quoted for SQL; collection and field names are declared in code, never user input.
    var quotedTable: String { name.quotedDatabaseIdentifier }
    /// The shadow table holding the server's state of records that have local changes pending.
    var quotedShadowTable: String { "_server_\(name)".quotedDatabaseIdentifier }
    var quotedColumns: String { fields.map(\.name.quotedDatabaseIdentifier).joined(separator: ", ") }
}

extension StatementArguments {
    /// Arguments from values already converted. GRDB's initializer for a sequence of one convertible type reads
    /// each element through a key path, which in bulk writes costs more than the insert itself.
    init(columns: [DatabaseValue]) {
        self.init(columns.map { $0 as (any DatabaseValueConvertible)? })
    }
}
