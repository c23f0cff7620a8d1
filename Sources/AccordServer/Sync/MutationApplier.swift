import AccordCore
import Foundation
import PostgresNIO

/// Takes a client's push: skips what it already applied, hands each new mutation to the write path, and
/// records each outcome and the client's progress, all in the caller's transaction.
///
/// Each outcome is stored with a digest of its mutation. A mutation sent again under an id the client already
/// used is answered with the stored outcome only when it is the same mutation; a different one means the
/// replica lost part of its history, and the push is refused with `mutation_reused` and the id to renumber
/// the outbox from, so the new edits are applied instead of being taken for old ones.
struct MutationApplier: Sendable {
    let path: WritePath
    var catalog: Catalog { path.catalog }

    func push(_ request: PushRequest, access: OrganizationAccess, in tx: Transaction) async throws -> PushResponse {
        try Self.checkOrder(request.mutations)
        let actor = access.actor(.member)
        if let refusal = WritePolicy.roleRefusal(actor) {
            return try await refuseWithoutWriting(request, refusal, access: access, in: tx)
        }
        let org = access.organization.id
        var (lastApplied, head) = try await begin(request.clientID, access: access, in: tx)
        var writer = ChangeWriter(org: org, lockedHead: head, in: tx)
        var results: [MutationResult] = []
        var newOutcomes: [MutationResult] = []
        var prefetched = try await prefetch(request.mutations.filter { $0.mutationID > lastApplied }, org: org, in: tx)
        let view = ServerRecordView(catalog: catalog, org: org, tx: tx)
        var digests: [String] = []
        for mutation in request.mutations {
            if mutation.mutationID <= lastApplied {
                results.append(try await recordedOutcome(of: mutation, client: request.clientID, lastApplied: lastApplied, org: org, in: tx))
                continue
            }
            guard mutation.mutationID == lastApplied + 1 else {
                throw APIError.conflict(
                    "mutation_gap",
                    "Mutation \(mutation.mutationID) arrived but the server expects \(lastApplied + 1) next from this client; renumber the outbox from \(lastApplied + 1) and push again.",
                    details: ["expected": String(lastApplied + 1), "from": String(mutation.mutationID)]
                )
            }
            digests.append(try MutationDigest.of(mutation))
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
        try await writer.finish(ChangeWriter.ClientProgress(client: request.clientID, lastApplied: lastApplied, outcomes: newOutcomes, digests: digests))
        return PushResponse(results: results, head: writer.head)
    }

    private static func checkOrder(_ mutations: [Mutation]) throws {
        guard mutations.count <= SyncProtocol.maxPushBatch else {
            throw APIError.invalid(FieldError(field: "mutations", message: "holds \(mutations.count) mutations; push at most \(SyncProtocol.maxPushBatch) at a time"))
        }
        if let first = mutations.first(where: { $0.mutationID < 1 || $0.baseSeq < 0 }) {
            throw APIError.invalid(FieldError(field: "mutations", message: "hold mutation ids from 1 and base seqs from 0; mutation \(first.mutationID) has base seq \(first.baseSeq)"))
        }
        // Out of order is a batch at odds with the client's own sequence, like a gap: a conflict, not a malformed body.
        for (earlier, later) in zip(mutations, mutations.dropFirst()) where later.mutationID <= earlier.mutationID {
            throw APIError.conflict(
                "mutation_order", "Mutations must come in increasing mutationID order; \(later.mutationID) follows \(earlier.mutationID). Push the outbox in order.",
                details: ["field": "mutations"]
            )
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
        guard owner == access.userID else { throw Self.foreignClient(clientID) }
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

    /// A push by a member whose role may change nothing writes nothing: no client is registered, no lock taken
    /// and no outcome stored. Mutations the client already pushed get their stored outcomes; new ones are
    /// refused with the role's reason, and the client, which takes them off its outbox, renumbers the ones it
    /// pushes once it may write again.
    private func refuseWithoutWriting(_ request: PushRequest, _ refusal: Rejection, access: OrganizationAccess, in tx: Transaction) async throws -> PushResponse {
        let org = access.organization.id
        let registered = try await tx.first(
            "SELECT user_id, last_mutation_id FROM sync_clients WHERE org_id = \(org) AND client_id = \(request.clientID)", as: (UUID, Int64).self
        )
        if let (owner, _) = registered, owner != access.userID { throw Self.foreignClient(request.clientID) }
        let lastApplied = registered?.1 ?? 0
        var results: [MutationResult] = []
        for mutation in request.mutations {
            if mutation.mutationID <= lastApplied {
                results.append(try await recordedOutcome(of: mutation, client: request.clientID, lastApplied: lastApplied, org: org, in: tx))
            } else {
                results.append(MutationResult(mutationID: mutation.mutationID, outcome: .rejected, code: refusal.code, reason: refusal.reason))
            }
        }
        let head = try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org)", as: Int64.self) ?? Int64(0)
        return PushResponse(results: results, head: head)
    }

    private static func foreignClient(_ client: UUID) -> APIError {
        APIError.forbidden("Client \(client.uuidString.lowercased()) belongs to another user; each replica pushes under its own client id.")
    }

    /// The outcome stored for a mutation the client pushed before, provided it is the same mutation.
    private func recordedOutcome(of mutation: Mutation, client: UUID, lastApplied: Int64, org: UUID, in tx: Transaction) async throws -> MutationResult {
        guard let (text, digest) = try await tx.first(
            "SELECT result::text, digest FROM mutation_outcomes WHERE org_id = \(org) AND client_id = \(client) AND mutation_id = \(mutation.mutationID)",
            as: (String, String?).self
        ) else {
            // Applied before outcomes were kept: the effect stands, so report it as applied.
            return MutationResult(mutationID: mutation.mutationID, outcome: .applied)
        }
        if let digest, digest != (try MutationDigest.of(mutation)) {
            throw APIError.conflict(
                "mutation_reused",
                "Mutation \(mutation.mutationID) is not the mutation this client pushed under that id before: the replica has lost part of its history (restored from a backup, or cut off by a crash). Renumber the outbox from \(lastApplied + 1) and push again.",
                details: ["expected": String(lastApplied + 1), "from": String(mutation.mutationID)]
            )
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
