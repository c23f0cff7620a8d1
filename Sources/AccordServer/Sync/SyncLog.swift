import AccordCore
import Foundation
import HTTPTypes
import PostgresNIO

/// Reads an organization's change log: the head, pages of changes after a cursor, and the checksums.
struct SyncLog: Sendable {
    struct Head: Sendable {
        var seq: Int64
        var horizon: Int64
        var epoch: UUID
        /// Every collection's checksum at the head; collections without records have zero.
        var checksums: [String: CollectionChecksum]
    }

    /// The head and the checksums, in one round trip.
    func head(org: UUID, in tx: Transaction) async throws -> Head {
        guard let row = try await tx.first(
            """
            SELECT h.last_seq, h.horizon_seq, h.epoch,
                   coalesce(array_agg(c.collection) FILTER (WHERE c.collection IS NOT NULL), '{}'),
                   coalesce(array_agg(c.checksum) FILTER (WHERE c.collection IS NOT NULL), '{}'),
                   coalesce(array_agg(c.rows) FILTER (WHERE c.collection IS NOT NULL), '{}')
            FROM sync_heads h LEFT JOIN sync_checksums c ON c.org_id = h.org_id
            WHERE h.org_id = \(org)
            GROUP BY h.last_seq, h.horizon_seq, h.epoch
            """,
            as: (Int64, Int64, UUID, [String], [Int64], [Int64]).self
        ) else { throw APIError.organizationNotFound(org.uuidString.lowercased()) }
        var checksums = Dictionary(uniqueKeysWithValues: Collections.all.map { ($0.name, CollectionChecksum()) })
        for (index, collection) in row.3.enumerated() where index < min(row.4.count, row.5.count) {
            checksums[collection] = CollectionChecksum(checksum: UInt64(bitPattern: row.4[index]), rows: row.5[index])
        }
        return Head(seq: row.0, horizon: row.1, epoch: row.2, checksums: checksums)
    }

    /// Changes after `since`, oldest first, in a repeatable-read transaction so the checksums match the page.
    func pull(since: Int64, limit: Int, epoch: UUID?, org: UUID, in tx: Transaction) async throws -> PullResponse {
        let head = try await head(org: org, in: tx)
        if let epoch, epoch != head.epoch {
            throw Self.resyncRequired(head, "The server's history was replaced (a restore) since this replica last synced")
        }
        if since < head.horizon {
            throw Self.resyncRequired(head, "Changes up to \(head.horizon) are no longer kept and this replica is at \(since)")
        }
        if since > head.seq {
            throw Self.resyncRequired(head, "This replica is at \(since), ahead of the server's \(head.seq)")
        }
        if since == head.seq {
            return PullResponse(changes: [], next: since, more: false, epoch: head.epoch, checksums: head.checksums)
        }
        var changes: [Change] = []
        changes.reserveCapacity(min(limit, 1_000))
        let rows = try await tx.query(
            """
            SELECT seq, collection, record_id, operation, outcome, fields::text, previous::text, overridden::text,
                   actor, client_id, mutation_id, stamp, created_at
            FROM changes WHERE org_id = \(org) AND seq > \(since) ORDER BY seq LIMIT \(limit + 1)
            """
        )
        for try await row in rows {
            let (seq, collection, record, operation, outcome, fields, previous, overridden, actor, client, mutation, stamp, at) =
                try row.decode((Int64, String, UUID, String, String, String, String, String, UUID?, UUID?, Int64?, String, Date).self)
            changes.append(Change(
                seq: seq, collection: collection, recordID: record, operation: MutationOperation(rawValue: operation) ?? .update,
                outcome: MergeOutcome(rawValue: outcome) ?? .applied, fields: try SyncJSON.decode(RecordFields.self, fields),
                previous: try SyncJSON.decode(RecordFields.self, previous), overridden: try SyncJSON.decode(RecordFields.self, overridden),
                actor: actor, clientID: client, mutationID: mutation, timestamp: HLCTimestamp(stamp) ?? HLCTimestamp(millis: 0, node: "server"),
                at: at
            ))
        }
        let more = changes.count > limit
        if more { changes.removeLast() }
        let next = changes.last?.seq ?? since
        return PullResponse(
            changes: changes, next: next, more: more, epoch: head.epoch,
            checksums: more ? nil : head.checksums
        )
    }

    static func resyncRequired(_ head: Head, _ why: String) -> APIError {
        APIError(
            .gone, code: ResyncRequired.code, message: "\(why); take a snapshot (GET sync/snapshot) and pull from its seq.",
            details: ["horizon": String(head.horizon), "epoch": head.epoch.uuidString.lowercased(), "head": String(head.seq)]
        )
    }
}
