import AccordCore
import Foundation
import HTTPTypes
import PostgresNIO

/// Any collection's records over REST. Reads come straight from the collection's table and the change log;
/// every write goes through the write path a sync push takes, as a change the server makes for the caller.
struct RecordService: Sendable {
    let path: WritePath
    var catalog: Catalog { path.catalog }

    static let defaultPageSize = 100
    static let maxPageSize = 1_000

    func schema(_ name: String) throws -> CollectionSchema {
        do {
            return try catalog.schema(name)
        } catch {
            throw APIError(.notFound, code: "unknown_collection", message: "There is no collection '\(name)'; the collections are \(catalog.names.joined(separator: ", ")).")
        }
    }

    func list(
        _ schema: CollectionSchema, filter: RecordFields, after cursor: UUID?, limit: Int, includeDeleted: Bool, org: UUID, in tx: Transaction
    ) async throws -> RecordPage {
        // One more than the page, to know whether another page follows.
        let found = try await CollectionTable(schema: schema).list(
            org: org, filter: filter, after: cursor, limit: limit + 1, includeDeleted: includeDeleted, in: tx
        )
        let page = found.prefix(limit).map(Self.response)
        return RecordPage(records: page, nextCursor: found.count > limit ? page.last?.id : nil)
    }

    func record(_ schema: CollectionSchema, _ id: UUID, org: UUID, in tx: Transaction) async throws -> RecordResponse {
        guard let found = try await CollectionTable(schema: schema).list(org: org, id: id, includeDeleted: true, in: tx).first else {
            throw APIError.notFound("\(schema.name) \(id.lowercasedText)")
        }
        return Self.response(found)
    }

    func history(_ schema: CollectionSchema, _ id: UUID, org: UUID, in tx: Transaction) async throws -> RecordHistory {
        let rows = try await tx.rows(
            """
            SELECT c.seq, c.operation, c.outcome, c.actor, u.name, c.created_at, c.fields::text, c.previous::text
            FROM changes c LEFT JOIN users u ON u.id = c.actor
            WHERE c.org_id = \(org) AND c.collection = \(schema.name) AND c.record_id = \(id) ORDER BY c.seq
            """,
            as: (Int64, String, String, UUID?, String?, Date, String, String).self
        )
        let changes = try rows.map { row in
            RecordHistoryEntry(
                seq: row.0, operation: MutationOperation(rawValue: row.1) ?? .update, outcome: MergeOutcome(rawValue: row.2) ?? .applied,
                actor: row.3, actorName: row.4, at: row.5, fields: try SyncJSON.decode(RecordFields.self, row.6),
                previous: try SyncJSON.decode(RecordFields.self, row.7)
            )
        }
        if changes.isEmpty { _ = try await record(schema, id, org: org, in: tx) }
        return RecordHistory(changes: changes, complete: changes.first?.operation == .create)
    }

    /// Makes `change` as the caller, after checking `ifMatch` against the record's seq; returns the record as
    /// it is now (nil once deleted) and the organization's new head.
    func write(
        _ change: FollowUp, ifMatch: Int64?, access: OrganizationAccess, in tx: Transaction
    ) async throws -> (record: RecordResponse?, head: Int64) {
        let org = access.organization.id
        let schema = try schema(change.collection)
        guard let head = try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org) FOR UPDATE", as: Int64.self) else {
            throw APIError.organizationNotFound(org.lowercasedText)
        }
        var writer = ChangeWriter(org: org, lockedHead: head, in: tx)
        let stored = try await CollectionTable(schema: schema).load(change.recordID, org: org, in: tx)
        let name = "\(schema.name) \(change.recordID.lowercasedText)"
        if let ifMatch, stored?.seq != ifMatch {
            throw APIError(
                .preconditionFailed, code: "changed_since",
                message: "\(name) changed since version \(ifMatch)\(stored.map { "; it is at \($0.seq) now" } ?? ""). Read it again and reapply your change.",
                details: stored.map { ["seq": String($0.seq)] } ?? [:]
            )
        }
        switch change.operation {
        case .create where stored?.isLive == true:
            throw APIError.conflict("already_exists", "\(name) already exists; change it with PATCH.")
        case .update where stored?.isLive != true, .delete where stored?.isLive != true:
            throw APIError.notFound(name)
        default:
            break
        }
        let view = ServerRecordView(catalog: catalog, org: org, tx: tx)
        if case .failure(let rejection) = try await path.apply(.server(change), actor: access.actor(.member), known: .some(stored), view: view, writer: &writer) {
            throw APIError(refusal: rejection)
        }
        try await writer.finish()
        let now = try await CollectionTable(schema: schema).list(org: org, id: change.recordID, in: tx).first
        return (now.map(Self.response), writer.head)
    }

    private static func response(_ record: ListedRecord) -> RecordResponse {
        RecordResponse(id: record.id, seq: record.seq, deleted: record.deleted, updatedAt: record.updatedAt, fields: record.fields)
    }
}

extension APIError {
    /// A change the write path refused: 403 when the member may not make it, 422 with the rule's code and reason
    /// otherwise.
    init(refusal: Rejection) {
        switch refusal.code {
        case "forbidden": self.init(.forbidden, code: refusal.code, message: refusal.reason)
        case "not_found", "unknown_collection": self.init(.notFound, code: refusal.code, message: refusal.reason)
        default: self.init(.unprocessableContent, code: refusal.code, message: refusal.reason)
        }
    }
}
