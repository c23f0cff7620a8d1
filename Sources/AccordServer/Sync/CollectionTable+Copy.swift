import AccordCore
import Foundation
import NIOCore
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

    /// Writes new records with `COPY ... FROM STDIN`, which PostgreSQL takes far faster than one insert per row.
    /// PostgreSQL copies into no table under row-level security, so the rows land in a temporary table of the
    /// same shape first (dropped at commit) and move on with one insert, which the tenant policy checks.
    func copy(_ rows: [NewRow], org: UUID, in tx: Transaction) async throws {
        guard !rows.isEmpty else { return }
        let staging = "accord_copy_\(schema.name)"
        let columns = ["org_id", "id", "seq", "field_seqs", "field_stamps", "created_by", "updated_by"] + schema.fields.map(\.name)
        let columnList = columns.map(quoted).joined(separator: ", ")
        try await tx.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS \(quoted(staging)) (LIKE \(table) INCLUDING DEFAULTS) ON COMMIT DROP"))
        // Declared field names are plain identifiers, which COPY's own quoting keeps whole.
        try await tx.connection.copyFrom(table: staging, columns: columns, logger: tx.logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(Self.copyChunk + 4096)
            let orgText = org.lowercasedText
            for row in rows {
                let actor = row.actor?.lowercasedText ?? "\\N"
                let stamp = row.stamp.description
                let seqs = "{" + schema.fields.map { "\"\($0.name)\":\(row.seq)" }.joined(separator: ",") + "}"
                let stamps = "{" + schema.fields.map { "\"\($0.name)\":\"\(stamp)\"" }.joined(separator: ",") + "}"
                buffer.writeString("\(orgText)\t\(row.id.lowercasedText)\t\(row.seq)\t\(seqs)\t\(stamps)\t\(actor)\t\(actor)")
                for field in schema.fields {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    Self.writeCell(row.fields[field.name] ?? .null, into: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes >= Self.copyChunk {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        try await tx.query(PostgresQuery(unsafeSQL: """
            WITH moved AS (DELETE FROM \(quoted(staging)) RETURNING *)
            INSERT INTO \(table) (\(columnList)) SELECT \(columnList) FROM moved
            """))
    }

    /// How much of a COPY is gathered before it is sent.
    private static let copyChunk = 1 << 18

    /// A value in COPY's text format: `\N` for null, and backslash escapes for the characters that end a cell
    /// or a row. The column's type reads the text as an insert would read a text parameter.
    private static func writeCell(_ value: FieldValue, into buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeString("\\N")
        case .int(let int): buffer.writeString(String(int))
        case .double(let double): buffer.writeString(double.description)
        case .bool(let bool): buffer.writeString(bool ? "t" : "f")
        case .text(let text):
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeString("\\t")
                case UInt8(ascii: "\n"): buffer.writeString("\\n")
                case UInt8(ascii: "\r"): buffer.writeString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}
