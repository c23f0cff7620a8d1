public import AccordCore
import Foundation
import GRDB

/// Which local records a list shows, in what order, and how many: `--where`, `--sort` and `--limit`.
public struct RecordQuery: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// The field holds exactly this value; `.null` matches an empty field.
        case equals(String, FieldValue)
        /// The field's text contains this, ignoring case.
        case contains(String, String)
    }

    public var conditions: [Condition] = []
    /// The field to order by, and whether from the largest down; records with equal values keep id order.
    public var sort: (field: String, descending: Bool)?
    public var limit: Int?

    public init(conditions: [Condition] = [], sort: (field: String, descending: Bool)? = nil, limit: Int? = nil) {
        self.conditions = conditions
        self.sort = sort
        self.limit = limit
    }

    public static func == (lhs: RecordQuery, rhs: RecordQuery) -> Bool {
        lhs.conditions == rhs.conditions && lhs.sort?.field == rhs.sort?.field && lhs.sort?.descending == rhs.sort?.descending
            && lhs.limit == rhs.limit
    }

    /// Reads `field=value` (equal, typed by the field) and `field~text` (contains) filters and a `field`,
    /// `field:asc` or `field:desc` sort (`-field` too), naming the collection's fields when one is unknown.
    public static func parse(filters: [String], sort: String?, limit: Int?, for schema: CollectionSchema) throws -> RecordQuery {
        var query = RecordQuery(limit: limit)
        for filter in filters {
            guard let split = filter.firstIndex(where: { $0 == "=" || $0 == "~" }) else {
                throw ClientError.invalidInput("'\(filter)' is not field=value or field~text")
            }
            let name = String(filter[..<split])
            let text = String(filter[filter.index(after: split)...])
            let field = try known(name, in: schema)
            if filter[split] == "~" {
                query.conditions.append(.contains(name, text))
            } else {
                query.conditions.append(.equals(name, field.canonical(try FieldAssignments.value(text, for: field))))
            }
        }
        if var name = sort {
            var descending = false
            if name.hasPrefix("-") {
                name.removeFirst()
                descending = true
            } else if name.hasSuffix(":desc") {
                name.removeLast(5)
                descending = true
            } else if name.hasSuffix(":asc") {
                name.removeLast(4)
            }
            query.sort = (try known(name, in: schema).name, descending)
        }
        return query
    }

    private static func known(_ name: String, in schema: CollectionSchema) throws -> FieldSchema {
        guard let field = schema.field(name) else {
            throw ClientError.invalidInput("\(name) is not a field of \(schema.name); its fields are \(schema.fields.map(\.name).joined(separator: ", "))")
        }
        return field
    }

    /// The WHERE clause and its arguments; field names were checked against the schema when parsed.
    var filter: (sql: String, arguments: StatementArguments) {
        guard !conditions.isEmpty else { return ("", []) }
        var clauses: [String] = []
        var arguments = StatementArguments()
        for condition in conditions {
            switch condition {
            case .equals(let name, .null):
                clauses.append("\(name.quotedDatabaseIdentifier) IS NULL")
            case .equals(let name, let value):
                clauses.append("\(name.quotedDatabaseIdentifier) = ?")
                arguments += [value.databaseValue]
            case .contains(let name, let text):
                clauses.append("instr(lower(CAST(\(name.quotedDatabaseIdentifier) AS TEXT)), lower(?)) > 0")
                arguments += [text]
            }
        }
        return (" WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    var order: String {
        guard let sort else { return " ORDER BY id" }
        return " ORDER BY \(sort.field.quotedDatabaseIdentifier)\(sort.descending ? " DESC" : ""), id"
    }
}

extension Replica {
    /// How many local records of the collection match the query's conditions (its limit aside).
    public func count(_ collection: String, matching query: RecordQuery = RecordQuery()) throws -> Int {
        let schema = try self.schema(collection)
        let filter = query.filter
        return try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(schema.quotedTable)\(filter.sql)", arguments: filter.arguments) ?? 0
        }
    }

    /// Calls `body` with each matching record in order, one at a time from a database cursor, so a list of any
    /// size streams in constant memory.
    public func forEachRecord(_ collection: String, matching query: RecordQuery = RecordQuery(), _ body: (LocalRecord) throws -> Void) throws {
        let schema = try self.schema(collection)
        let filter = query.filter
        let limit = query.limit.map { " LIMIT \(max(0, $0))" } ?? ""
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT \(schema.selectedColumns) FROM \(schema.quotedTable)\(filter.sql)\(query.order)\(limit)", arguments: filter.arguments)
            while let row = try rows.next() {
                guard let record = schema.localRecord(row) else { continue }
                try body(record)
            }
        }
    }
}
