import AccordCore
import Foundation
import PostgresNIO

/// The one way a record changes on the server, whoever asks: a replica's pushed mutation or a change the server
/// makes itself (a REST call, a rule's follow-up, an admin command, a scheduled job, a conflict). Each passes
/// the shared `WritePolicy`, the three-way merge and the collection's rules, then is written, logged, and
/// raises its conflicts, all in the caller's transaction.
struct WritePath: Sendable {
    let catalog: Catalog
    /// The server's clock, which stamps the changes it makes.
    var now: @Sendable () -> Date = { Date() }

    /// Follow-ups that ask for follow-ups stop this deep, so two rules cannot feed each other for ever.
    static let maxFollowUpDepth = 4

    /// Where a change comes from.
    enum Source {
        /// A replica's mutation, stamped by its clock.
        case pushed(Mutation, client: UUID)
        /// A change the server makes, stamped by the server's clock, after every change it has seen.
        case server(FollowUp)
    }

    /// What a change that was not refused did.
    struct Written: Sendable {
        var outcome: MergeOutcome
        /// The seq of its change; nil when it changed nothing.
        var seq: Int64?
        var conflictIDs: [UUID] = []
        /// Whether follow-ups changed other records, which a caller holding their earlier state must reload.
        var followedUp = false
    }

    /// Applies one change. A refusal changes nothing and comes back as the failure; a database error is thrown.
    /// `known` is the record's state when the caller has already loaded and locked it.
    func apply(
        _ source: Source, actor: RuleActor, known: StoredRecord?? = nil, view: ServerRecordView, writer: inout ChangeWriter,
        depth: Int = 0
    ) async throws -> Result<Written, Rejection> {
        var mutation = source.mutation
        guard let schema = catalog.named(mutation.collection) else {
            let known = catalog.names.joined(separator: ", ")
            return .failure(Rejection(code: "unknown_collection", reason: "There is no collection '\(mutation.collection)'; the collections are \(known)."))
        }
        if case .pushed(_, let client) = source {
            if let reason = Self.refusedStamp(mutation.timestamp, client: client, now: now()) { return .failure(Rejection(code: "invalid_timestamp", reason: reason)) }
            // The stamp names the client in its one lower-case spelling, as replicas compare stamps as text.
            mutation.timestamp = HLCTimestamp(millis: mutation.timestamp.millis, counter: mutation.timestamp.counter, node: client.lowercasedText)
        }
        if let refusal = WritePolicy.refusal(of: mutation.operation, fields: mutation.fields, in: schema, by: actor) { return .failure(refusal) }
        let table = CollectionTable(schema: schema)
        let stored: StoredRecord?
        if let known { stored = known } else { stored = try await table.load(mutation.recordID, org: writer.org, in: writer.tx) }
        if case .server = source {
            // The server has seen every change, so nothing it changes is concurrent with its own edit.
            mutation.baseSeq = writer.head
            mutation.timestamp = ServerClock.stamp(now: now(), after: stored?.state)
        }
        var result: MergeResult
        switch ThreeWayMerge.merge(mutation, into: stored?.state, schema: schema) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let merged): result = merged
        }
        result.accepted = schema.canonical(result.accepted)
        // A new record is a change even when it sets no field, such as settings left at their defaults.
        let creates = stored == nil && mutation.operation == .create
        let changes = !result.accepted.isEmpty || result.deletes || result.restores || creates
        guard changes || result.outcome != .applied else { return .success(Written(outcome: .applied)) }

        // Most collections declare no rules; their changes skip building the rules' view of the record.
        let decision = schema.rules.isEmpty
            ? RuleDecision.accept
            : try await WritePolicy.judge(Self.ruleInput(mutation, result, stored: stored, schema: schema, actor: actor, view: view, now: now()))
        if let rejection = decision.rejection { return .failure(rejection) }
        result.accepted.merge(schema.canonical(decision.stamps)) { $1 }
        guard !decision.followUps.isEmpty else {
            return .success(try await write(result, of: mutation, source: source, stored: stored, table: table, actor: actor, view: view, writer: &writer))
        }
        return try await withFollowUps(decision.followUps, actor: actor, view: view, writer: &writer, depth: depth) { writer in
            try await write(result, of: mutation, source: source, stored: stored, table: table, actor: actor, view: view, writer: &writer)
        }
    }

    /// Makes the change and its follow-ups, or none of them: a refused or failed follow-up takes the change back
    /// to a savepoint, and the change is refused with the follow-up's reason.
    private func withFollowUps(
        _ followUps: [FollowUp], actor: RuleActor, view: ServerRecordView, writer: inout ChangeWriter, depth: Int,
        change: (inout ChangeWriter) async throws -> Written
    ) async throws -> Result<Written, Rejection> {
        guard depth < Self.maxFollowUpDepth else {
            return .failure(Rejection(code: "follow_up_loop", reason: "The change asks for follow-up changes more than \(Self.maxFollowUpDepth) deep; the collection's rules ask for each other's changes in a loop."))
        }
        let savepoint = "follow_up_\(depth)"
        let before = writer
        try await writer.tx.query(PostgresQuery(unsafeSQL: "SAVEPOINT \(savepoint)"))
        func rollBack() async throws {
            try await writer.tx.query(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT \(savepoint)"))
            writer = before
            view.forgetAll()
        }
        let written = try await change(&writer)
        for followUp in followUps {
            let outcome: Result<Written, Rejection>
            do {
                outcome = try await apply(.server(followUp), actor: actor.viaServer, view: view, writer: &writer, depth: depth + 1)
            } catch {
                try await rollBack()
                throw error
            }
            if case .failure(let rejection) = outcome {
                try await rollBack()
                return .failure(Rejection(
                    code: rejection.code,
                    reason: "It needs a change to \(followUp.collection) \(followUp.recordID.lowercasedText) that was refused: \(rejection.reason)"
                ))
            }
        }
        try await writer.tx.query(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(savepoint)"))
        var result = written
        result.followedUp = true
        return .success(result)
    }

    private static func ruleInput(
        _ mutation: Mutation, _ result: MergeResult, stored: StoredRecord?, schema: CollectionSchema, actor: RuleActor, view: ServerRecordView, now: Date
    ) -> RuleInput {
        let live = stored.flatMap { $0.isLive ? $0.state.fields : nil }
        var merged: RecordFields?
        if !result.deletes && (live != nil || result.restores || stored == nil) {
            merged = (live ?? [:]).merging(result.accepted) { $1 }
        }
        return RuleInput(
            collection: schema, recordID: mutation.recordID, operation: mutation.operation, changes: mutation.fields,
            stored: live, merged: merged, actor: actor, view: view, now: now
        )
    }

    private func write(
        _ result: MergeResult, of mutation: Mutation, source: Source, stored: StoredRecord?, table: CollectionTable, actor: RuleActor,
        view: ServerRecordView, writer: inout ChangeWriter
    ) async throws -> Written {
        let seq = writer.nextSeq()
        let client = source.client
        let author = CollectionTable.Author(actor: actor.userID, clientID: client, timestamp: mutation.timestamp)
        if !result.accepted.isEmpty || result.deletes || result.restores || (stored == nil && mutation.operation == .create) {
            try await RecordWrite(result: result, id: mutation.recordID, stored: stored, seq: seq, table: table, author: author).run(&writer)
            view.forget(table.schema.name)
        }
        try await writer.log(Change(
            seq: seq, collection: table.schema.name, recordID: mutation.recordID,
            operation: Self.loggedOperation(result, stored: stored), outcome: result.outcome,
            fields: result.accepted, previous: result.accepted.keys.reduce(into: [:]) { $0[$1] = stored?.state.fields[$1] ?? .null },
            overridden: result.overridden, actor: actor.userID, clientID: client, mutationID: client == nil ? nil : mutation.mutationID,
            timestamp: mutation.timestamp, at: now()
        ))
        let conflicts = ConflictRecorder.conflicts(for: result, of: mutation, stored: stored, client: client, actor: actor)
        var conflictIDs: [UUID] = []
        for fields in try await conflicts.resolvingBases(in: writer) {
            let id = UUID()
            if case .failure(let rejection) = try await apply(.server(FollowUp(.create, CollectionSchema.conflicts.name, id, fields)), actor: actor.viaServer, view: view, writer: &writer) {
                // The conflict records are Accord's own; one the write path refuses is a fault in Accord, and the
                // change must not be written without the conflict that keeps its losing values.
                throw ConflictRefused(reason: rejection.reason)
            }
            conflictIDs.append(id)
        }
        return Written(outcome: result.outcome, seq: seq, conflictIDs: conflictIDs)
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
    private static func refusedStamp(_ stamp: HLCTimestamp, client: UUID, now: Date) -> String? {
        guard UUID(uuidString: stamp.node) == client else {
            return "The edit is stamped by client '\(stamp.node)' but was pushed by client \(client.uuidString.lowercased()); each replica stamps its edits with its own client id."
        }
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        guard stamp.millis - nowMillis <= HybridLogicalClock.maxLeadMillis else {
            let when = Date(timeIntervalSince1970: Double(stamp.millis) / 1000).formatted(.iso8601)
            return "The edit is stamped \(when), more than a day ahead of the server's clock; set this device's clock right, then retry the change."
        }
        return nil
    }
}

/// A conflict record the write path refused, which would lose a person's edit if the change went ahead.
struct ConflictRefused: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the conflict record of a change was refused: \(reason)" }
}

extension WritePath.Source {
    var mutation: Mutation {
        switch self {
        case .pushed(let mutation, _): mutation
        case .server(let change):
            Mutation(
                mutationID: 0, collection: change.collection, recordID: change.recordID, operation: change.operation, fields: change.fields,
                baseSeq: 0, timestamp: HLCTimestamp(millis: 0, node: ServerClock.node)
            )
        }
    }

    var client: UUID? {
        if case .pushed(_, let client) = self { return client }
        return nil
    }
}
