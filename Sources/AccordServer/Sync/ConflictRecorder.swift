import AccordCore
import Foundation
import PostgresNIO

/// Turns a merge's conflicts into records of the `conflicts` collection, with the base, server and client
/// values. The write path then makes them like any change the server makes, so every replica sees them.
enum ConflictRecorder {
    /// The conflicts a merge raised; `resolvingBases` fills in each field's base value from the change log.
    struct Pending {
        fileprivate var records: [RecordFields]
        fileprivate var mutation: Mutation

        func resolvingBases(in writer: ChangeWriter) async throws -> [RecordFields] {
            var resolved: [RecordFields] = []
            for var fields in records {
                if case .text(let field)? = fields["field"] {
                    fields["base_value"] = try await ConflictRecorder.baseValue(of: field, mutation: mutation, in: writer).map(FieldValue.text) ?? .null
                }
                resolved.append(fields)
            }
            return resolved
        }
    }

    static func conflicts(for result: MergeResult, of mutation: Mutation, stored: StoredRecord?, client: UUID?, actor: RuleActor) -> Pending {
        func conflict(_ kind: ConflictKind, field: String?, server: String?, client clientValue: String?) -> RecordFields {
            [
                "collection": .text(mutation.collection), "record_id": .text(mutation.recordID.lowercasedText),
                "kind": .text(kind.rawValue), "field": field.map(FieldValue.text) ?? .null,
                "base_value": .null, "server_value": server.map(FieldValue.text) ?? .null,
                "client_value": clientValue.map(FieldValue.text) ?? .null,
                "client_actor": .text(actor.userID.lowercasedText),
                "client_id": client.map { .text($0.lowercasedText) } ?? .null,
                "mutation_id": client == nil ? .null : .int(mutation.mutationID), "status": .text("open"),
            ]
        }
        let server = stored.flatMap { try? SyncJSON.text($0.state.fields) }
        var records: [RecordFields] = []
        switch result.recordConflict {
        case .editedWhileDeleted?:
            // The server side holds the record's values at its deletion, so restoring it loses nothing.
            records.append(conflict(.editedWhileDeleted, field: nil, server: server, client: try? SyncJSON.text(result.conflictingFields)))
        case .deletedWhileEdited?:
            records.append(conflict(.deletedWhileEdited, field: nil, server: server, client: nil))
        case .field?, nil:
            for (field, value) in result.conflictingFields.sorted(by: { $0.key < $1.key }) {
                let server = stored.flatMap { try? SyncJSON.text($0.state.fields[field] ?? .null) }
                records.append(conflict(.field, field: field, server: server, client: try? SyncJSON.text(value)))
            }
        }
        return Pending(records: records, mutation: mutation)
    }

    /// The field's value as the client last saw it, from the change log; nil when that history was pruned.
    fileprivate static func baseValue(of field: String, mutation: Mutation, in writer: ChangeWriter) async throws -> String? {
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
