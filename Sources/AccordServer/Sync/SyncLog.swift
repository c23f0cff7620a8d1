import AccordCore
import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO

/// Reads an organization's change log: the head, pages of changes after a cursor, and the checksums.
struct SyncLog: Sendable {
    let catalog: Catalog

    struct Head: Sendable {
        var seq: Int64
        var horizon: Int64
        var epoch: UUID
        /// Every collection's checksum at the head; collections without records have zero.
        var checksums: [String: CollectionChecksum]
    }

    /// The head and the checksums, in one round trip.
    func head(org: UUID, in tx: Transaction) async throws -> Head {
        try await read(org: org, after: .max, limit: 0, in: tx).head
    }

    /// Changes after `since`, oldest first: the `PullResponse` JSON, written without decoding the log. One
    /// statement reads the head, the checksums and the page, so they come from one snapshot; PostgreSQL spells
    /// each change as `Change` encodes it and joins them, as a snapshot's lines are.
    func pull(
        since: Int64, limit: Int, epoch: UUID?, org: UUID, in tx: Transaction, cache: HeadCache, ticket: HeadCache.Ticket?
    ) async throws -> ByteBuffer {
        let (head, page) = try await read(org: org, after: since, limit: limit, in: tx)
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
        if var changes = page.changes { body.writeBuffer(&changes) }
        try Self.finishPage(&body, next: page.last ?? since, more: page.more, head: head)
        return body
    }

    private struct Page {
        /// The changes' JSON texts joined by commas; nil when there are none.
        var changes: ByteBuffer?
        var last: Int64?
        var more: Bool
    }

    /// The head and up to `limit` changes after `after`.
    private func read(org: UUID, after: Int64, limit: Int, in tx: Transaction) async throws -> (head: Head, page: Page) {
        guard let row = try await tx.rows(ReadStatement(org: org, after: after, limit: Int64(limit))).first else {
            throw APIError.organizationNotFound(org.uuidString.lowercased())
        }
        var checksums = Dictionary(uniqueKeysWithValues: catalog.collections.map { ($0.name, CollectionChecksum()) })
        for (index, collection) in row.3.enumerated() where index < min(row.4.count, row.5.count) {
            checksums[collection] = CollectionChecksum(checksum: UInt64(bitPattern: row.4[index]), rows: row.5[index])
        }
        let head = Head(seq: row.0, horizon: row.1, epoch: row.2, checksums: checksums)
        return (head, Page(changes: row.6, last: row.7, more: row.8))
    }

    /// One row: the head, its checksums as parallel arrays, and the page. Each change is joined from its pieces with
    /// `||` rather than built by `json_build_object`, which looks up every argument's type again for every row
    /// (a quarter of the statement's time for a page of 1,000); the values are spelled as it spells them, and the
    /// JSON columns as their own text. Whether more follow is asked as "the next seq after the page", which
    /// PostgreSQL answers from the primary key; asked with `EXISTS`, the prepared statement's generic plan scans the
    /// whole table for the last page, where no row matches.
    private struct ReadStatement: PostgresPreparedStatement {
        typealias Row = (Int64, Int64, UUID, [String], [Int64], [Int64], ByteBuffer?, Int64?, Bool)
        static let sql = """
            SELECT h.last_seq, h.horizon_seq, h.epoch, h.collections, h.checksums, h.rows, p.changes, p.last,
                   (SELECT c.seq FROM changes c WHERE c.org_id = $1 AND c.seq > p.last ORDER BY c.seq LIMIT 1) IS NOT NULL AS more
            FROM (
                SELECT h.last_seq, h.horizon_seq, h.epoch,
                       coalesce(array_agg(c.collection) FILTER (WHERE c.collection IS NOT NULL), '{}') AS collections,
                       coalesce(array_agg(c.checksum) FILTER (WHERE c.collection IS NOT NULL), '{}') AS checksums,
                       coalesce(array_agg(c.rows) FILTER (WHERE c.collection IS NOT NULL), '{}') AS rows
                FROM sync_heads h LEFT JOIN sync_checksums c ON c.org_id = h.org_id
                WHERE h.org_id = $1
                GROUP BY h.last_seq, h.horizon_seq, h.epoch
            ) h CROSS JOIN (
                SELECT string_agg(change, ',' ORDER BY seq) AS changes, max(seq) AS last
                FROM (
                    SELECT seq, '{"seq":' || seq || ',"collection":' || to_json(collection)::text
                        || ',"recordID":"' || record_id || '","operation":' || to_json(operation)::text
                        || ',"outcome":' || to_json(outcome)::text || ',"fields":' || fields::text
                        || ',"previous":' || previous::text || ',"overridden":' || overridden::text
                        || ',"actor":' || coalesce('"' || actor || '"', 'null')
                        || ',"clientID":' || coalesce('"' || client_id || '"', 'null')
                        || ',"mutationID":' || coalesce(mutation_id::text, 'null') || ',"timestamp":' || to_json(stamp)::text
                        || ',"at":"' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"}' AS change
                    FROM changes WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
                ) page
            ) p
            """

        var org: UUID
        var after: Int64
        var limit: Int64

        func makeBindings() throws -> PostgresBindings { PostgresBindings(org, after, limit) }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
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
