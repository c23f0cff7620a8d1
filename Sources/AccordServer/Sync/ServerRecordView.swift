import AccordCore
import Foundation
import Synchronization

/// The organization's records as the rules of one write transaction see them: the transaction holds the
/// organization's head lock, so nothing else changes them meanwhile. A read is remembered until the
/// transaction writes to that collection, so rules judging a whole push read each thing once.
final class ServerRecordView: RecordView {
    private let catalog: Catalog
    private let org: UUID
    private let tx: Transaction
    private let remembered = Mutex<[String: [UUID: RecordFields]]>([:])

    init(catalog: Catalog, org: UUID, tx: Transaction) {
        self.catalog = catalog
        self.org = org
        self.tx = tx
    }

    func record(_ collection: String, _ id: UUID) async throws -> RecordFields? {
        if let all = remembered.withLock({ $0[Self.key(collection, [:])] }) { return all[id] }
        let table = CollectionTable(schema: try catalog.schema(collection))
        return try await table.list(org: org, id: id, in: tx).first?.fields
    }

    func records(_ collection: String, matching filter: RecordFields) async throws -> [UUID: RecordFields] {
        let key = Self.key(collection, filter)
        if let known = remembered.withLock({ $0[key] }) { return known }
        let table = CollectionTable(schema: try catalog.schema(collection))
        let found = try await table.list(org: org, filter: filter, in: tx).reduce(into: [:]) { $0[$1.id] = $1.fields }
        remembered.withLock { $0[key] = found }
        return found
    }

    /// The transaction wrote to `collection`: what was read of it may be out of date.
    func forget(_ collection: String) {
        remembered.withLock { $0 = $0.filter { !$0.key.hasPrefix(collection + "\u{1F}") } }
    }

    /// The transaction went back to a savepoint.
    func forgetAll() {
        remembered.withLock { $0 = [:] }
    }

    private static func key(_ collection: String, _ filter: RecordFields) -> String {
        // Rules mostly read whole collections; their key needs no JSON encoder, which a bulk import would feel.
        collection + "\u{1F}" + (filter.isEmpty ? "" : (try? SyncJSON.text(filter)) ?? "")
    }
}
