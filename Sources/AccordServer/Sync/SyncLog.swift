import AccordCore
import Foundation
import HTTPTypes
import NIOCore
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

    /// Changes after `since`, oldest first, in a repeatable-read transaction so the checksums match the page: the
    /// `PullResponse` JSON, written without decoding the log. PostgreSQL spells each change as `Change` encodes
    /// it, and the page is those texts joined, as a snapshot's lines are.
    func pull(
        since: Int64, limit: Int, epoch: UUID?, org: UUID, in tx: Transaction, cache: HeadCache, ticket: HeadCache.Ticket?
    ) async throws -> ByteBuffer {
        let head = try await head(org: org, in: tx)
        cache.offer(head, of: org, ticket: ticket)
        if let epoch, epoch != head.epoch {
            throw Self.resyncRequired(head, "The server's history was replaced (a restore) since this replica last synced")
        }
        if since < head.horizon {
            throw Self.resyncRequired(head, "Changes up to \(head.horizon) are no longer kept and this replica is at \(since)")
        }
        if since > head.seq {
            throw Self.resyncRequired(head, "This replica is at \(since), ahead of the server's \(head.seq)")
        }
        var body = ByteBuffer(string: #"{"changes":["#)
        var count = 0
        var next = since
        if since < head.seq {
            let rows = try await tx.query(
                """
                SELECT seq, json_build_object(
                    'seq', seq, 'collection', collection, 'recordID', record_id, 'operation', operation, 'outcome', outcome,
                    'fields', fields, 'previous', previous, 'overridden', overridden, 'actor', actor, 'clientID', client_id,
                    'mutationID', mutation_id, 'timestamp', stamp,
                    'at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text
                FROM changes WHERE org_id = \(org) AND seq > \(since) ORDER BY seq LIMIT \(limit + 1)
                """
            )
            for try await row in rows {
                count += 1
                // The row past the limit only says there is more.
                guard count <= limit else { continue }
                var (seq, change) = try row.decode((Int64, ByteBuffer).self)
                if count > 1 { body.writeStaticString(",") }
                body.writeBuffer(&change)
                next = seq
            }
        }
        try Self.finishPage(&body, next: next, more: count > limit, head: head)
        return body
    }

    /// The page for a replica already at `head`, which needs no transaction.
    static func upToDatePage(_ head: Head) throws -> ByteBuffer {
        var body = ByteBuffer(string: #"{"changes":["#)
        try finishPage(&body, next: head.seq, more: false, head: head)
        return body
    }

    private static func finishPage(_ body: inout ByteBuffer, next: Int64, more: Bool, head: Head) throws {
        body.writeString(#"],"next":\#(next),"more":\#(more),"epoch":"\#(head.epoch.uuidString.lowercased())""#)
        if !more {
            body.writeStaticString(#","checksums":"#)
            body.writeBytes(try SyncCoding.encoder().encode(head.checksums))
        }
        body.writeStaticString("}")
    }

    static func resyncRequired(_ head: Head, _ why: String) -> APIError {
        APIError(
            .gone, code: ResyncRequired.code, message: "\(why); take a snapshot (GET sync/snapshot) and pull from its seq.",
            details: ["horizon": String(head.horizon), "epoch": head.epoch.uuidString.lowercased(), "head": String(head.seq)]
        )
    }
}
