import AccordClient
import AccordCore
import Foundation

extension RecordsCommand {
    /// The record's changes as the server logged them: when, who, and each field from what to what. It needs
    /// the server, since a replica keeps only the latest state.
    func history(_ id: UUID, _ schema: CollectionSchema) async throws {
        let (connection, organization) = try options.connection()
        let history = try await connection.history(of: schema.name, id, in: organization.id.lowercasedText)
        if options.json { return try printJSON(history) }
        print("\(schema.name)/\(id.lowercasedText)")
        guard !history.changes.isEmpty else { return print("No changes on the server yet.") }
        TableWriter.show(
            [.text("WHEN", minimum: 8), .text("WHO", minimum: 6, maximum: 24), .text("CHANGE", minimum: 20)],
            history.changes.map { change in
                [Terminal.age(change.at), change.actorName ?? "the server", Self.describe(change)]
            }
        )
        if !history.complete {
            print(Terminal.dim("Older changes were compacted away; the first one shown holds the record as it then was."))
        }
    }

    /// "created", "deleted", or each changed field as field: before → after.
    static func describe(_ change: RecordHistoryEntry) -> String {
        switch change.operation {
        case .delete: return "deleted"
        case .create where change.previous.values.allSatisfy({ $0 == .null }):
            return "created: " + change.fields.keys.sorted().map { "\($0): \(change.fields[$0].map { $0 == .null ? "∅" : $0.description } ?? "∅")" }
                .joined(separator: "; ")
        default:
            return change.fields.keys.sorted().map { field in
                let before = change.previous[field].map { $0 == .null ? "∅" : $0.description } ?? "∅"
                let after = change.fields[field].map { $0 == .null ? "∅" : $0.description } ?? "∅"
                return "\(field): \(before) → \(after)"
            }.joined(separator: "; ")
        }
    }
}
