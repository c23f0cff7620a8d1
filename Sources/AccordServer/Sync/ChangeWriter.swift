import AccordCore
import Foundation
import PostgresNIO

/// Hands out an organization's change seqs inside one writing transaction and appends to its change log.
///
/// It starts from the head its caller read with the organization's head row locked, so seqs are given out in
/// commit order within the organization and a reader following the cursor never skips a change; other
/// organizations are not blocked. `finish` writes the batch's changes, moves the head, adds the batch to the
/// checksums, records the client's progress and sends the realtime poke, which PostgreSQL delivers on commit.
struct ChangeWriter {
    /// The NOTIFY channel; the payload is `<org id>:<seq>`.
    static let channel = "accord_changes"

    /// What a push batch leaves behind for its client: each new mutation's outcome and the last one applied.
    struct ClientProgress {
        var client: UUID
        var lastApplied: Int64
        var outcomes: [MutationResult]
        /// `MutationDigest` of each outcome's mutation, in the same order.
        var digests: [String]
    }

    let org: UUID
    let tx: Transaction
    private let startSeq: Int64
    private(set) var head: Int64
    /// What the batch adds to each collection's checksum. `finish` adds it to the stored sums in place, so they
    /// need not be read first, and concurrent writers cannot lose each other's additions.
    private var deltas: [String: CollectionChecksum] = [:]
    /// Changes logged in this transaction, written together by `finish`.
    private var pending: [Change] = []

    init(org: UUID, lockedHead head: Int64, in tx: Transaction) {
        self.org = org
        self.tx = tx
        self.startSeq = head
        self.head = head
    }

    mutating func nextSeq() -> Int64 {
        head += 1
        return head
    }

    /// Keeps the collection's checksum in step with a record leaving (`old`) and entering (`new`) the live set.
    mutating func replaceDigest(in collection: String, old: UInt64?, new: UInt64?) {
        var delta = deltas[collection] ?? CollectionChecksum()
        if let old { delta.remove(old) }
        if let new { delta.add(new) }
        deltas[collection] = delta
    }

    /// Adds a change to the log. The changes of a batch are inserted together when it finishes, in one
    /// statement instead of one per change; nothing reads this batch's changes back before then.
    mutating func log(_ change: Change) async throws {
        pending.append(change)
    }

    /// Writes everything the batch produced in one statement: the client's outcomes and progress (none for
    /// changes the server makes), and when there are new changes, the changes, the head, the checksums and the
    /// poke (a batch of retries has none). A long import finishes once a batch, so each starts afresh.
    mutating func finish(_ progress: ClientProgress? = nil) async throws {
        let collections = deltas.keys.sorted()
        let sums = collections.map { deltas[$0] ?? CollectionChecksum() }
        _ = try await tx.rows(FinishStatement(
            org: org, progress: progress, changes: pending, head: head, sumCollections: collections, sums: sums, poke: head > startSeq
        ))
        pending = []
        deltas = [:]
    }

    private struct FinishStatement: PostgresPreparedStatement {
        typealias Row = ()
        static let sql = """
            WITH recorded AS (
                INSERT INTO mutation_outcomes (org_id, client_id, mutation_id, outcome, seq, result, digest)
                SELECT $1, $2, id, outcome, NULLIF(seq, -1), result::jsonb, digest
                FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[], $26::text[]) AS batch (id, outcome, seq, result, digest)
            ), progressed AS (
                UPDATE sync_clients SET last_mutation_id = $7, last_push_at = now() WHERE org_id = $1 AND client_id = $2
            ), logged AS (
                INSERT INTO changes (org_id, seq, collection, record_id, operation, outcome, fields, previous, overridden,
                                     actor, client_id, mutation_id, stamp)
                SELECT $1, seq, collection, record_id, operation, outcome, fields::jsonb, previous::jsonb, overridden::jsonb,
                       NULLIF(actor, '')::uuid, NULLIF(client_id, '')::uuid, NULLIF(mutation_id, -1), stamp
                FROM unnest($8::bigint[], $9::text[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                            $16::text[], $17::text[], $18::bigint[], $19::text[])
                     AS batch (seq, collection, record_id, operation, outcome, fields, previous, overridden, actor, client_id,
                               mutation_id, stamp)
            ), moved AS (
                UPDATE sync_heads SET last_seq = $20 WHERE org_id = $1 AND last_seq <> $20
            ), summed AS (
                INSERT INTO sync_checksums (org_id, collection, checksum, rows)
                SELECT $1, collection, checksum, rows FROM unnest($21::text[], $22::bigint[], $23::bigint[]) AS sums (collection, checksum, rows)
                ON CONFLICT (org_id, collection) DO UPDATE
                    SET checksum = accord_wrapping_add(sync_checksums.checksum, EXCLUDED.checksum), rows = sync_checksums.rows + EXCLUDED.rows
            )
            SELECT pg_notify('\(ChangeWriter.channel)', $24) WHERE $25
            """

        var org: UUID
        var progress: ClientProgress?
        var changes: [Change]
        var head: Int64
        var sumCollections: [String]
        var sums: [CollectionChecksum]
        var poke: Bool

        func makeBindings() throws -> PostgresBindings {
            let results = progress?.outcomes ?? []
            // Arrays cannot carry nulls here: -1 stands for a missing seq (a rejection) or mutation id, and empty
            // text for a missing actor or client.
            let uuid = { (id: UUID?) in id?.uuidString.lowercased() ?? "" }
            var bindings = PostgresBindings(capacity: 26)
            bindings.append(org)
            // No client matches a null id, so a server-made batch records no progress.
            bindings.append(progress?.client)
            bindings.append(results.map(\.mutationID))
            bindings.append(results.map(\.outcome.rawValue))
            bindings.append(results.map { $0.seq ?? -1 })
            bindings.append(try results.map { try SyncJSON.text($0) })
            bindings.append(progress?.lastApplied ?? 0)
            bindings.append(changes.map(\.seq))
            bindings.append(changes.map(\.collection))
            bindings.append(changes.map(\.recordID))
            bindings.append(changes.map(\.operation.rawValue))
            bindings.append(changes.map(\.outcome.rawValue))
            bindings.append(try changes.map { try SyncJSON.logText($0.fields) })
            bindings.append(try changes.map { try SyncJSON.logText($0.previous) })
            bindings.append(try changes.map { try SyncJSON.logText($0.overridden) })
            bindings.append(changes.map { uuid($0.actor) })
            bindings.append(changes.map { uuid($0.clientID) })
            bindings.append(changes.map { $0.mutationID ?? -1 })
            bindings.append(changes.map(\.timestamp.description))
            bindings.append(head)
            bindings.append(sumCollections)
            bindings.append(sums.map { Int64(bitPattern: $0.checksum) })
            bindings.append(sums.map(\.rows))
            bindings.append("\(org.uuidString.lowercased()):\(head)")
            bindings.append(poke)
            bindings.append(progress?.digests ?? [])
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
