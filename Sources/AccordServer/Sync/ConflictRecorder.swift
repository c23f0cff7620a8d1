import AccordCore
import Foundation
import PostgresNIO

/// Turns a merge's conflicts into records of the `conflicts` collection, written and logged like any change,
/// so every replica sees them with the base, server and client values.
enum ConflictRecorder {
    static func raise(
        for result: MergeResult, of mutation: Mutation, stored: StoredRecord?, author: CollectionTable.Author,
        writer: inout ChangeWriter
    ) async throws -> [UUID] {
        var conflicts: [RecordFields] = []
        func conflict(_ kind: ConflictKind, field: String?, base: String?, server: String?, client: String?) -> RecordFields {
            [
                "collection": .text(mutation.collection), "record_id": .text(mutation.recordID.uuidString.lowercased()),
                "kind": .text(kind.rawValue), "field": field.map(FieldValue.text) ?? .null,
                "base_value": base.map(FieldValue.text) ?? .null, "server_value": server.map(FieldValue.text) ?? .null,
                "client_value": client.map(FieldValue.text) ?? .null,
                "client_actor": author.actor.map { .text($0.uuidString.lowercased()) } ?? .null,
                "client_id": author.clientID.map { .text($0.uuidString.lowercased()) } ?? .null,
                "mutation_id": .int(mutation.mutationID), "status": .text("open"),
            ]
        }
        switch result.recordConflict {
        case .editedWhileDeleted?:
            // The server side holds the record's values at its deletion, so restoring it loses nothing.
            let server = try stored.map { try SyncJSON.text($0.state.fields) }
            conflicts.append(conflict(.editedWhileDeleted, field: nil, base: nil, server: server, client: try SyncJSON.text(result.conflictingFields)))
        case .deletedWhileEdited?:
            conflicts.append(conflict(.deletedWhileEdited, field: nil, base: nil, server: try stored.map { try SyncJSON.text($0.state.fields) }, client: nil))
        case .field?, nil:
            for (field, value) in result.conflictingFields.sorted(by: { $0.key < $1.key }) {
                let base = try await baseValue(of: field, mutation: mutation, in: writer)
                let server = try stored.map { try SyncJSON.text($0.state.fields[field] ?? .null) }
                conflicts.append(conflict(.field, field: field, base: base, server: server, client: try SyncJSON.text(value)))
            }
        }
        let table = CollectionTable(schema: .conflicts)
        var ids: [UUID] = []
        for fields in conflicts {
            let id = UUID()
            let seq = writer.nextSeq()
            try await table.insert(id, org: writer.org, seq: seq, fields: fields, by: author, in: writer.tx)
            writer.replaceDigest(
                in: CollectionSchema.conflicts.name, old: nil,
                new: RecordDigest.digest(id: id, seq: seq, fields: fields, schema: .conflicts)
            )
            try await writer.log(Change(
                seq: seq, collection: CollectionSchema.conflicts.name, recordID: id, operation: .create, outcome: .applied,
                fields: fields, actor: author.actor, clientID: nil, mutationID: nil, timestamp: author.timestamp, at: Date()
            ))
            ids.append(id)
        }
        return ids
    }

    /// The field's value as the client last saw it, from the change log; nil when that history was pruned.
    private static func baseValue(of field: String, mutation: Mutation, in writer: ChangeWriter) async throws -> String? {
        try await writer.tx.first(
            """
            SELECT (fields -> \(field))::text FROM changes
            WHERE org_id = \(writer.org) AND collection = \(mutation.collection) AND record_id = \(mutation.recordID)
              AND seq <= \(mutation.baseSeq) AND fields ? \(field)
            ORDER BY seq DESC LIMIT 1
            """,
            as: String.self
        )
    }
}
