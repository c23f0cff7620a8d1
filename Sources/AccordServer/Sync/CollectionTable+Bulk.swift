import AccordCore
import Foundation
import PostgresNIO

extension CollectionTable {
    /// A record a bulk create writes: all of its fields set by one change.
    struct NewRow {
        var id: UUID
        var seq: Int64
        var fields: RecordFields
        var actor: UUID?
        var stamp: HLCTimestamp
    }

    /// Writes new records with multi-row inserts, as many rows a statement as PostgreSQL's limit on parameters
    /// allows, which the tenant policy checks like any insert. (`COPY ... FROM STDIN` was faster, but
    /// PostgresNIO's copy crashes the process when the connection fails mid-copy.)
    func insertMany(_ rows: [NewRow], org: UUID, in tx: Transaction) async throws {
        let perRow = 5 + schema.fields.count
        let rowsPerStatement = max(1, min(1_000, (Self.parameterLimit - 1) / perRow))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + rowsPerStatement)]
            var binds = bindings(org)
            var values: [String] = []
            values.reserveCapacity(chunk.count)
            for row in chunk {
                let first = binds.count + 1
                binds.append(row.id)
                binds.append(row.seq)
                let stamp = row.stamp.description
                binds.append("{" + schema.fields.map { "\"\($0.name)\":\(row.seq)" }.joined(separator: ",") + "}")
                binds.append("{" + schema.fields.map { "\"\($0.name)\":\"\(stamp)\"" }.joined(separator: ",") + "}")
                binds.append(row.actor)
                for field in schema.fields { try binds.append(row.fields[field.name] ?? .null, as: field.type) }
                let fieldPlaceholders = (0..<schema.fields.count).map { "$\(first + 5 + $0)" }.joined(separator: ", ")
                values.append("($1, $\(first), $\(first + 1), $\(first + 2)::jsonb, $\(first + 3)::jsonb, $\(first + 4), $\(first + 4), \(fieldPlaceholders))")
            }
            try await tx.query(PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(table) (org_id, id, seq, field_seqs, field_stamps, created_by, updated_by, \(columns))
                    VALUES \(values.joined(separator: ", "))
                    """,
                binds: binds
            ))
            start += chunk.count
        }
    }

    /// PostgreSQL's most parameters in one statement.
    private static let parameterLimit = 65_535
}
