import AccordCore
import Foundation

/// Writes one merged change to its collection's table and keeps the collection's checksum in step.
struct RecordWrite {
    var result: MergeResult
    var id: UUID
    var stored: StoredRecord?
    var seq: Int64
    var table: CollectionTable
    var author: CollectionTable.Author

    func run(_ writer: inout ChangeWriter) async throws {
        let schema = table.schema
        let oldDigest = stored.flatMap { $0.isLive ? RecordDigest.digest(id: id, seq: $0.seq, fields: $0.state.fields, schema: schema) : nil }
        if result.deletes {
            try await table.delete(id, org: writer.org, seq: seq, by: author, in: writer.tx)
            writer.replaceDigest(in: schema.name, old: oldDigest, new: nil)
            return
        }
        if stored == nil {
            try await table.insert(id, org: writer.org, seq: seq, fields: result.accepted, by: author, in: writer.tx)
        } else {
            try await table.update(id, org: writer.org, seq: seq, fields: result.accepted, restoring: result.restores, by: author, in: writer.tx)
        }
        let newFields = (stored?.state.fields ?? [:]).merging(result.accepted) { $1 }
        writer.replaceDigest(in: schema.name, old: oldDigest, new: RecordDigest.digest(id: id, seq: seq, fields: newFields, schema: schema))
    }
}
