import AccordCore
import Foundation
import PostgresNIO

/// The one write path for synced records: it takes a client's batch, skips what it already applied,
/// merges each new mutation with `ThreeWayMerge`, writes the records, logs every change, raises conflicts
/// and records each outcome, all in the caller's transaction.
struct MutationApplier: Sendable {
    let catalog: Catalog

    func push(_ request: PushRequest, access: OrganizationAccess, in tx: Transaction) async throws -> PushResponse {
        try Self.checkOrder(request.mutations)
        let org = access.organization.id
        var (lastApplied, head) = try await begin(request.clientID, access: access, in: tx)
        var writer = ChangeWriter(org: org, lockedHead: head, in: tx)
        var results: [MutationResult] = []
        var newOutcomes: [MutationResult] = []
        var prefetched = try await prefetch(request.mutations.filter { $0.mutationID > lastApplied }, org: org, in: tx)
        for mutation in request.mutations {
            if mutation.mutationID <= lastApplied {
                results.append(try await recordedOutcome(of: mutation, client: request.clientID, org: org, in: tx))
                continue
            }
            guard mutation.mutationID == lastApplied + 1 else {
                throw APIError.conflict(
                    "mutation_gap",
                    "Mutation \(mutation.mutationID) arrived but the server expects \(lastApplied + 1) next from this client; push the outbox from \(lastApplied + 1) in order.",
                    details: ["expected": String(lastApplied + 1)]
                )
            }
            // Only a record's first mutation in the batch may use the prefetched state; later ones load what it wrote.
            let known = prefetched.removeValue(forKey: RecordKey(collection: mutation.collection, id: mutation.recordID))
            let result = try await apply(mutation, client: request.clientID, access: access, known: known, writer: &writer)
            newOutcomes.append(result)
            results.append(result)
            lastApplied = mutation.mutationID
        }
        try await writer.finish(ChangeWriter.ClientProgress(client: request.clientID, lastApplied: lastApplied, outcomes: newOutcomes))
        return PushResponse(results: results, head: writer.head)
    }

    private static func checkOrder(_ mutations: [Mutation]) throws {
        guard mutations.count <= SyncProtocol.maxPushBatch else {
            throw APIError.invalid(FieldError(field: "mutations", message: "holds \(mutations.count) mutations; push at most \(SyncProtocol.maxPushBatch) at a time"))
        }
        for (earlier, later) in zip(mutations, mutations.dropFirst()) where later.mutationID <= earlier.mutationID {
            throw APIError.invalid(FieldError(field: "mutations", message: "must be in increasing mutationID order; \(later.mutationID) follows \(earlier.mutationID)"))
        }
    }

    /// Registers the client to the caller on its first push and locks the organization's head row, in one
    /// statement: returns the client's last applied mutation id and the head. The lock hands out seqs in commit
    /// order; since the head is read by the locking statement itself, it is the latest even after a wait.
    private func begin(_ clientID: UUID, access: OrganizationAccess, in tx: Transaction) async throws -> (lastApplied: Int64, head: Int64) {
        let org = access.organization.id
        guard let (owner, last, head) = try await tx.rows(BeginStatement(org: org, client: clientID, user: access.userID)).first else {
            throw APIError.organizationNotFound(org.uuidString.lowercased())
        }
        guard owner == access.userID else {
            throw APIError.forbidden("Client \(clientID.uuidString.lowercased()) belongs to another user; each replica pushes under its own client id.")
        }
        return (last, head)
    }

    private struct BeginStatement: PostgresPreparedStatement {
        typealias Row = (UUID, Int64, Int64)
        // The no-op update makes the upsert return and lock the row whether it was there or not.
        static let sql = """
            WITH registered AS (
                INSERT INTO sync_clients (org_id, client_id, user_id) VALUES ($1, $2, $3)
                ON CONFLICT (org_id, client_id) DO UPDATE SET user_id = sync_clients.user_id
                RETURNING user_id, last_mutation_id
            )
            SELECT r.user_id, r.last_mutation_id, h.last_seq FROM sync_heads h CROSS JOIN registered r
            WHERE h.org_id = $1 FOR UPDATE OF h
            """

        var org: UUID
        var client: UUID
        var user: UUID

        func makeBindings() throws -> PostgresBindings { PostgresBindings(org, client, user) }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    private func recordedOutcome(of mutation: Mutation, client: UUID, org: UUID, in tx: Transaction) async throws -> MutationResult {
        guard let text = try await tx.first(
            "SELECT result::text FROM mutation_outcomes WHERE org_id = \(org) AND client_id = \(client) AND mutation_id = \(mutation.mutationID)",
            as: String.self
        ) else {
            // Applied before outcomes were kept, or pruned: the effect stands, so report it as applied.
            return MutationResult(mutationID: mutation.mutationID, outcome: .applied)
        }
        return try SyncJSON.decode(MutationResult.self, text)
    }

    private struct RecordKey: Hashable {
        var collection: String
        var id: UUID
    }

    /// The stored state of every record the batch's new mutations name, locked, in one statement per collection;
    /// a record that does not exist maps to nil.
    private func prefetch(_ mutations: [Mutation], org: UUID, in tx: Transaction) async throws -> [RecordKey: StoredRecord?] {
        var known: [RecordKey: StoredRecord?] = [:]
        for (collection, mutations) in Dictionary(grouping: mutations, by: \.collection) {
            guard let schema = catalog.named(collection) else { continue }
            let ids = Array(Set(mutations.map(\.recordID)))
            let records = try await CollectionTable(schema: schema).load(ids, org: org, in: tx)
            for id in ids { known[RecordKey(collection: collection, id: id)] = .some(records[id]) }
        }
        return known
    }

    private func apply(
        _ mutation: Mutation, client: UUID, access: OrganizationAccess, known: StoredRecord??, writer: inout ChangeWriter
    ) async throws -> MutationResult {
        func rejected(_ code: String, _ reason: String) -> MutationResult {
            MutationResult(mutationID: mutation.mutationID, outcome: .rejected, code: code, reason: reason)
        }
        guard let schema = catalog.named(mutation.collection) else {
            return rejected("unknown_collection", "There is no collection '\(mutation.collection)'; the collections are \(catalog.names.joined(separator: ", ")).")
        }
        guard access.role.canEdit else {
            return rejected("forbidden", "Your role in \(access.organization.slug) is \(access.role.rawValue), which cannot change records; ask an owner or admin for the editor role.")
        }
        if let reason = Self.refusedStamp(mutation.timestamp, client: client) {
            return rejected("invalid_timestamp", reason)
        }
        // The stamp names the client in its one lower-case spelling, as replicas compare stamps as text.
        var mutation = mutation
        mutation.timestamp = HLCTimestamp(millis: mutation.timestamp.millis, counter: mutation.timestamp.counter, node: client.lowercasedText)
        let table = CollectionTable(schema: schema)
        let org = access.organization.id
        let stored: StoredRecord?
        if let known { stored = known } else { stored = try await table.load(mutation.recordID, org: org, in: writer.tx) }
        var result: MergeResult
        switch ThreeWayMerge.merge(mutation, into: stored?.state, schema: schema) {
        case .failure(let rejection): return rejected(rejection.code, rejection.reason)
        case .success(let merged): result = merged
        }
        result.accepted = schema.canonical(result.accepted)
        if schema.name == CollectionSchema.conflicts.name, result.accepted["status"] != nil {
            result.accepted["resolved_by"] = .text(access.userID.lowercasedText)
        }
        let writes = !result.accepted.isEmpty || result.deletes || result.restores
        guard writes || result.outcome != .applied else {
            return MutationResult(mutationID: mutation.mutationID, outcome: .applied)
        }
        let seq = writer.nextSeq()
        let author = CollectionTable.Author(actor: access.userID, clientID: client, timestamp: mutation.timestamp)
        if writes {
            try await write(result, of: mutation, stored: stored, seq: seq, table: table, author: author, writer: &writer)
        }
        try await writer.log(Change(
            seq: seq, collection: schema.name, recordID: mutation.recordID,
            operation: Self.loggedOperation(result, stored: stored), outcome: result.outcome,
            fields: result.accepted, previous: result.accepted.keys.reduce(into: [:]) { $0[$1] = stored?.state.fields[$1] ?? .null },
            overridden: result.overridden, actor: access.userID, clientID: client, mutationID: mutation.mutationID,
            timestamp: mutation.timestamp, at: Date()
        ))
        let conflictIDs = try await ConflictRecorder.raise(for: result, of: mutation, stored: stored, author: author, writer: &writer)
        return MutationResult(mutationID: mutation.mutationID, outcome: result.outcome, seq: seq, conflictIDs: conflictIDs)
    }

    /// What the change did to the record, which is not always what the client asked: a create of an id that
    /// already exists only updates it, and replicas must not replace the record with the create's fields.
    private static func loggedOperation(_ result: MergeResult, stored: StoredRecord?) -> MutationOperation {
        if result.restores || stored == nil { return .create }
        return result.deletes ? .delete : .update
    }

    /// Why an edit's clock stamp cannot be trusted, or nil. The merge treats a client's own earlier stamps as
    /// seen, so a stamp must name the client that pushes it; and a stamp far in the future would win every
    /// last-writer-wins field until that day.
    private static func refusedStamp(_ stamp: HLCTimestamp, client: UUID) -> String? {
        guard UUID(uuidString: stamp.node) == client else {
            return "The edit is stamped by client '\(stamp.node)' but was pushed by client \(client.uuidString.lowercased()); each replica stamps its edits with its own client id."
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        guard stamp.millis - now <= HybridLogicalClock.maxLeadMillis else {
            let when = Date(timeIntervalSince1970: Double(stamp.millis) / 1000).formatted(.iso8601)
            return "The edit is stamped \(when), more than a day ahead of the server's clock; set this device's clock right, then retry the change."
        }
        return nil
    }

    private func write(
        _ result: MergeResult, of mutation: Mutation, stored: StoredRecord?, seq: Int64, table: CollectionTable,
        author: CollectionTable.Author, writer: inout ChangeWriter
    ) async throws {
        let schema = table.schema
        let id = mutation.recordID
        let oldDigest = stored.flatMap { $0.isLive ? RecordDigest.digest(id: id, seq: $0.seq, fields: $0.state.fields, schema: schema) : nil }
        var newFields = stored?.state.fields ?? [:]
        if result.deletes {
            try await table.delete(id, org: writer.org, seq: seq, by: author, in: writer.tx)
            writer.replaceDigest(in: schema.name, old: oldDigest, new: nil)
            return
        }
        if stored == nil {
            try await table.insert(id, org: writer.org, seq: seq, fields: result.accepted, by: author, in: writer.tx)
        } else {
            try await table.update(id, org: writer.org, seq: seq, fields: result.accepted, restoring: result.restores, by: author, in: writer.tx)
        }
        newFields.merge(result.accepted) { $1 }
        writer.replaceDigest(in: schema.name, old: oldDigest, new: RecordDigest.digest(id: id, seq: seq, fields: newFields, schema: schema))
    }
}
