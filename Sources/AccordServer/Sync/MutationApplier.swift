import AccordCore
import Foundation
import PostgresNIO

/// Takes a client's push: skips what it already applied, hands each new mutation to the write path, and
/// records each outcome and the client's progress, all in the caller's transaction.
struct MutationApplier: Sendable {
    let path: WritePath
    var catalog: Catalog { path.catalog }

    func push(_ request: PushRequest, access: OrganizationAccess, in tx: Transaction) async throws -> PushResponse {
        try Self.checkOrder(request.mutations)
        let org = access.organization.id
        var (lastApplied, head) = try await begin(request.clientID, access: access, in: tx)
        var writer = ChangeWriter(org: org, lockedHead: head, in: tx)
        var results: [MutationResult] = []
        var newOutcomes: [MutationResult] = []
        var prefetched = try await prefetch(request.mutations.filter { $0.mutationID > lastApplied }, org: org, in: tx)
        let view = ServerRecordView(catalog: catalog, org: org, tx: tx)
        let actor = access.actor(.member)
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
            let result: MutationResult
            switch try await path.apply(.pushed(mutation, client: request.clientID), actor: actor, known: known, view: view, writer: &writer) {
            case .success(let written):
                // What follow-ups changed may be prefetched for later mutations of the batch.
                if written.followedUp { prefetched = [:] }
                result = MutationResult(mutationID: mutation.mutationID, outcome: written.outcome, seq: written.seq, conflictIDs: written.conflictIDs)
            case .failure(let rejection):
                result = MutationResult(mutationID: mutation.mutationID, outcome: .rejected, code: rejection.code, reason: rejection.reason)
            }
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
}
