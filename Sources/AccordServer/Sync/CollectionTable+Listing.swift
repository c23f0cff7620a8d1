import AccordCore
import Foundation
import PostgresNIO

/// A record as a listing shows it: its fields, its last change, and whether it is deleted.
struct ListedRecord: Sendable {
    var id: UUID
    var seq: Int64
    var fields: RecordFields
    var deleted: Bool
    var updatedAt: Date
}

extension CollectionTable {
    /// The records (or the one record `id`) whose fields hold every value of `filter` (a null matches a missing value) and whose
    /// text fields named in `anyOf` each hold one of their values, in id order after `cursor`, without locking them: rules and REST listings
    /// read, the write path locks what it changes.
    func list(
        org: UUID, id: UUID? = nil, filter: RecordFields = [:], anyOf: [String: [String]] = [:], after cursor: UUID? = nil,
        limit: Int? = nil, includeDeleted: Bool = false, in tx: Transaction
    ) async throws -> [ListedRecord] {
        var binds = bindings(org)
        var conditions = ["org_id = $1"]
        if !includeDeleted { conditions.append("deleted_seq IS NULL") }
        if let id {
            binds.append(id)
            conditions.append("id = $\(binds.count)")
        }
        if let cursor {
            binds.append(cursor)
            conditions.append("id > $\(binds.count)")
        }
        for (name, value) in filter.sorted(by: { $0.key < $1.key }) {
            guard let field = schema.field(name) else { throw UnknownField(name: name, collection: schema) }
            if value == .null {
                conditions.append("\(quoted(name)) IS NULL")
                continue
            }
            try binds.append(field.canonical(value), as: field.type)
            conditions.append("\(quoted(name)) = $\(binds.count)")
        }
        for (name, values) in anyOf.sorted(by: { $0.key < $1.key }) {
            guard schema.field(name) != nil else { throw UnknownField(name: name, collection: schema) }
            binds.append(values)
            conditions.append("\(quoted(name)) = ANY($\(binds.count))")
        }
        let columns = schema.fields.map { quoted($0.name) }.joined(separator: ", ")
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT id, seq, deleted_seq IS NOT NULL AS deleted, updated_at, \(columns)
                FROM \(table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY id\(limit.map { " LIMIT \($0)" } ?? "")
                """,
            binds: binds
        )
        var records: [ListedRecord] = []
        for try await row in try await tx.query(query) {
            let cells = row.makeRandomAccess()
            // Cells are read by position: finding one by name compares the names of every column before it.
            var fields = RecordFields(minimumCapacity: schema.fields.count)
            for (offset, field) in schema.fields.enumerated() { fields[field.name] = try field.type.value(of: cells[4 + offset]) }
            records.append(ListedRecord(
                id: try cells[0].decode(UUID.self), seq: try cells[1].decode(Int64.self), fields: fields,
                deleted: try cells[2].decode(Bool.self), updatedAt: try cells[3].decode(Date.self)
            ))
        }
        return records
    }
}

/// A filter or read names a field its collection does not have.
struct UnknownField: Error, CustomStringConvertible {
    var name: String
    var collection: CollectionSchema
    var description: String {
        "'\(name)' is not a field of \(collection.name); its fields are \(collection.fields.map(\.name).joined(separator: ", "))"
    }
}
