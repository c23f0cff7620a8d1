import AccordCore
import Foundation

/// The replica's records as rules see them on a local write: the server's state as last pulled, with this
/// replica's pending changes on top.
struct ReplicaRecordView: RecordView {
    let replica: Replica

    func record(_ collection: String, _ id: UUID) async throws -> RecordFields? {
        try replica.record(collection, id)
    }

    func records(_ collection: String, matching filter: RecordFields) async throws -> [UUID: RecordFields] {
        let schema = try replica.schema(collection)
        let wanted = schema.canonical(filter)
        return try replica.records(collection).reduce(into: [:]) { found, record in
            if wanted.allSatisfy({ record.fields[$0.key] ?? .null == $0.value }) { found[record.id] = record.fields }
        }
    }
}
