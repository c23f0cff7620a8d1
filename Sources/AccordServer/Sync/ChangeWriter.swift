import AccordCore
import Foundation
import PostgresNIO

/// Hands out an organization's change seqs inside one writing transaction and appends to its change log.
///
/// `begin` locks the organization's head row, so seqs are given out in commit order within the organization
/// and a reader following the cursor never skips a change; other organizations are not blocked. `finish`
/// writes the batch's changes, stores the new head and checksums and sends the realtime poke, which
/// PostgreSQL delivers on commit.
struct ChangeWriter {
    /// The NOTIFY channel; the payload is `<org id>:<seq>`.
    static let channel = "accord_changes"

    let org: UUID
    let tx: Transaction
    private let startSeq: Int64
    private(set) var head: Int64
    private var checksums: [String: CollectionChecksum]
    private var touchedCollections: Set<String> = []
    /// Changes logged in this transaction, written together by `finish`.
    private var pending: [Change] = []

    static func begin(org: UUID, in tx: Transaction) async throws -> ChangeWriter {
        guard let head = try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org) FOR UPDATE", as: Int64.self) else {
            throw APIError.organizationNotFound(org.uuidString.lowercased())
        }
        // A statement of its own, after the lock: read in the locking statement, the checksums would come from the
        // snapshot taken before waiting for the lock, and miss the commit the wait was for.
        let rows = try await tx.rows("SELECT collection, checksum, rows FROM sync_checksums WHERE org_id = \(org)", as: (String, Int64, Int64).self)
        let checksums = Dictionary(uniqueKeysWithValues: rows.map { ($0.0, CollectionChecksum(checksum: UInt64(bitPattern: $0.1), rows: $0.2)) })
        return ChangeWriter(org: org, tx: tx, startSeq: head, head: head, checksums: checksums)
    }

    mutating func nextSeq() -> Int64 {
        head += 1
        return head
    }

    /// Keeps the collection's checksum in step with a record leaving (`old`) and entering (`new`) the live set.
    mutating func replaceDigest(in collection: String, old: UInt64?, new: UInt64?) {
        var checksum = checksums[collection] ?? CollectionChecksum()
        if let old { checksum.remove(old) }
        if let new { checksum.add(new) }
        checksums[collection] = checksum
        touchedCollections.insert(collection)
    }

    /// Adds a change to the log. The changes of a batch are inserted together when it finishes, in one
    /// statement instead of one per change; nothing reads this batch's changes back before then.
    mutating func log(_ change: Change) async throws {
        pending.append(change)
    }

    /// Writes the batch's changes, the new head and checksums, and the poke, in one statement.
    mutating func finish() async throws {
        guard head > startSeq else { return }
        // Arrays cannot carry nulls here, so empty text and -1 stand for a missing actor, client or mutation id.
        let uuid = { (id: UUID?) in id?.uuidString.lowercased() ?? "" }
        let collections = touchedCollections.sorted()
        let sums = collections.map { checksums[$0] ?? CollectionChecksum() }
        try await tx.query(
            """
            WITH logged AS (
                INSERT INTO changes (org_id, seq, collection, record_id, operation, outcome, fields, previous, overridden,
                                     actor, client_id, mutation_id, stamp)
                SELECT \(org), seq, collection, record_id, operation, outcome, fields::jsonb, previous::jsonb, overridden::jsonb,
                       NULLIF(actor, '')::uuid, NULLIF(client_id, '')::uuid, NULLIF(mutation_id, -1), stamp
                FROM unnest(\(pending.map(\.seq))::bigint[], \(pending.map(\.collection))::text[], \(pending.map(\.recordID))::uuid[],
                            \(pending.map(\.operation.rawValue))::text[], \(pending.map(\.outcome.rawValue))::text[],
                            \(try pending.map { try SyncJSON.text($0.fields) })::text[], \(try pending.map { try SyncJSON.text($0.previous) })::text[],
                            \(try pending.map { try SyncJSON.text($0.overridden) })::text[], \(pending.map { uuid($0.actor) })::text[],
                            \(pending.map { uuid($0.clientID) })::text[], \(pending.map { $0.mutationID ?? -1 })::bigint[],
                            \(pending.map(\.timestamp.description))::text[])
                     AS batch (seq, collection, record_id, operation, outcome, fields, previous, overridden, actor, client_id,
                               mutation_id, stamp)
            ), moved AS (
                UPDATE sync_heads SET last_seq = \(head) WHERE org_id = \(org)
            ), summed AS (
                INSERT INTO sync_checksums (org_id, collection, checksum, rows)
                SELECT \(org), collection, checksum, rows
                FROM unnest(\(collections)::text[], \(sums.map { Int64(bitPattern: $0.checksum) })::bigint[], \(sums.map(\.rows))::bigint[])
                     AS sums (collection, checksum, rows)
                ON CONFLICT (org_id, collection) DO UPDATE SET checksum = EXCLUDED.checksum, rows = EXCLUDED.rows
            )
            SELECT pg_notify(\(Self.channel), \("\(org.uuidString.lowercased()):\(head)"))
            """
        )
        pending = []
    }
}
