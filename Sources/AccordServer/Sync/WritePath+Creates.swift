import AccordCore
import Foundation
import PostgresNIO

extension WritePath {
    /// Creates many new records of one collection, as a bulk import does: each passes the same policy, merge
    /// and rules as `apply` and is logged as its own change, but the rows go to the table in multi-row inserts
    /// rather than one statement each. The ids must be new. Every record is judged against the state before the call,
    /// so a rule does not see the others of the same call; a record whose rules ask for follow-ups is written
    /// through `apply` on its own, after the ones before it.
    func create(
        _ creates: [FollowUp], actor: RuleActor, view: ServerRecordView, writer: inout ChangeWriter
    ) async throws -> [Result<Written, Rejection>] {
        guard let collection = creates.first?.collection else { return [] }
        let table = CollectionTable(schema: try catalog.schema(collection))
        var results: [Result<Written, Rejection>] = []
        var pending: [CollectionTable.NewRow] = []
        for create in creates {
            precondition(create.collection == collection && create.operation == .create, "a batch creates records of one collection")
            let mutation = WritePath.Source.server(create).mutation
            let judged = try await judgeCreate(mutation, table: table, actor: actor, view: view, writer: writer)
            switch judged {
            case .failure(let rejection):
                results.append(.failure(rejection))
            case .success(let judged) where !judged.followUps.isEmpty:
                try await table.insertMany(pending, org: writer.org, in: writer.tx)
                pending = []
                results.append(try await apply(.server(create), actor: actor, known: .some(nil), view: view, writer: &writer))
            case .success(let judged):
                let fields = judged.fields
                let seq = writer.nextSeq()
                let stamp = ServerClock.stamp(now: now(), after: nil)
                pending.append(CollectionTable.NewRow(id: create.recordID, seq: seq, fields: fields, actor: actor.userID, stamp: stamp))
                writer.replaceDigest(in: collection, old: nil, new: RecordDigest.digest(id: create.recordID, seq: seq, fields: fields, schema: table.schema))
                try await writer.log(Change(
                    seq: seq, collection: collection, recordID: create.recordID, operation: .create, outcome: .applied,
                    fields: fields, previous: fields.mapValues { _ in .null }, overridden: [:], actor: actor.userID, clientID: nil,
                    mutationID: nil, timestamp: stamp, at: now()
                ))
                results.append(.success(Written(outcome: .applied, seq: seq)))
            }
        }
        try await table.insertMany(pending, org: writer.org, in: writer.tx)
        view.forget(collection)
        return results
    }

    /// The fields a new record is written with, and the follow-ups its rules ask for.
    private struct JudgedCreate {
        var fields: RecordFields
        var followUps: [FollowUp]
    }

    private func judgeCreate(
        _ mutation: Mutation, table: CollectionTable, actor: RuleActor, view: ServerRecordView, writer: ChangeWriter
    ) async throws -> Result<JudgedCreate, Rejection> {
        let schema = table.schema
        if let refusal = WritePolicy.refusal(of: .create, fields: mutation.fields, in: schema, by: actor) { return .failure(refusal) }
        var merging = mutation
        merging.baseSeq = writer.head
        let merged: MergeResult
        switch ThreeWayMerge.merge(merging, into: nil, schema: schema) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let result): merged = result
        }
        var fields = schema.canonical(merged.accepted)
        guard !schema.rules.isEmpty else { return .success(JudgedCreate(fields: fields, followUps: [])) }
        let input = RuleInput(
            collection: schema, recordID: mutation.recordID, operation: .create, changes: mutation.fields, stored: nil, merged: fields,
            actor: actor, view: view, now: now()
        )
        let decision = try await WritePolicy.judge(input)
        if let rejection = decision.rejection { return .failure(rejection) }
        fields.merge(schema.canonical(decision.stamps)) { $1 }
        return .success(JudgedCreate(fields: fields, followUps: decision.followUps))
    }
}
