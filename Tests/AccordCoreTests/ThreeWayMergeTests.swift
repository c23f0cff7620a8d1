import AccordCore
import Foundation
import Testing

@Suite("Three-way merge")
struct ThreeWayMergeTests {
    /// A collection with one field of each policy, beside the real `notes`.
    static let schema = CollectionSchema(
        name: "cards",
        fields: [
            FieldSchema("title", .text, .lww, required: true),
            FieldSchema("rank", .integer, .lww),
            FieldSchema("body", .text, .review),
            FieldSchema("summary", .text, .review),
        ]
    )
    static let readings = CollectionSchema(name: "readings", fields: [FieldSchema("value", .real, .lww, required: true)], appendOnly: true)

    let id = UUID()
    let early = HLCTimestamp(millis: 1_000, node: "client-a")
    let late = HLCTimestamp(millis: 2_000, node: "client-b")

    /// A record created at seq 1, whose `field` was then changed at seq 5 by an edit made at `stamp`.
    func state(changed field: String? = nil, to value: FieldValue = .text("server"), at stamp: HLCTimestamp? = nil) -> RecordState {
        var state = RecordState(
            fields: ["title": .text("t"), "rank": .int(1), "body": .text("b"), "summary": .text("s")],
            fieldSeqs: ["title": 1, "rank": 1, "body": 1, "summary": 1],
            fieldStamps: ["title": early, "rank": early, "body": early, "summary": early]
        )
        if let field {
            state.fields[field] = value
            state.fieldSeqs[field] = 5
            state.fieldStamps[field] = stamp ?? early
        }
        return state
    }

    func mutation(_ operation: MutationOperation, _ fields: RecordFields = [:], base: Int64 = 1, at stamp: HLCTimestamp? = nil) -> Mutation {
        Mutation(mutationID: 1, collection: "cards", recordID: id, operation: operation, fields: fields, baseSeq: base, timestamp: stamp ?? late)
    }

    func merge(_ mutation: Mutation, _ state: RecordState?, schema: CollectionSchema = schema) throws -> MergeResult {
        try ThreeWayMerge.merge(mutation, into: state, schema: schema).get()
    }

    /// Why the write path refuses the mutation from an editor's replica: the shared policy first, then the merge.
    func rejection(_ mutation: Mutation, _ state: RecordState?, schema: CollectionSchema = schema) -> Rejection? {
        let editor = RuleActor(userID: UUID(), role: .editor)
        if let refusal = WritePolicy.refusal(of: mutation.operation, fields: mutation.fields, in: schema, by: editor) { return refusal }
        if case .failure(let rejection) = ThreeWayMerge.merge(mutation, into: state, schema: schema) { return rejection }
        return nil
    }

    // MARK: create

    @Test func createOfANewRecordTakesEveryField() throws {
        let result = try merge(mutation(.create, ["title": .text("new"), "body": .text("x")], base: 0), nil)
        #expect(result.outcome == .applied)
        #expect(result.accepted == ["title": .text("new"), "body": .text("x")])
    }

    @Test(arguments: [("title", MergeOutcome.applied), ("body", MergeOutcome.conflict)])
    func aReplayedCreateWithOtherValuesIsConcurrentOnEveryField(field: String, expected: MergeOutcome) throws {
        let existing = state()
        var fields: RecordFields = ["title": .text("t")]
        fields[field] = .text("different")
        let result = try merge(mutation(.create, fields, base: 0), existing)
        #expect(result.outcome == expected)
        if expected == .conflict { #expect(result.conflictingFields == [field: .text("different")]) }
    }

    @Test func aReplayedIdenticalCreateChangesNothing() throws {
        let result = try merge(mutation(.create, ["title": .text("t"), "body": .text("b")], base: 0), state())
        #expect(result.outcome == .applied)
        #expect(result.accepted.isEmpty)
    }

    @Test func createOfADeletedRecordIsRejected() {
        var deleted = state()
        deleted.tombstone = .init(seq: 3, timestamp: early)
        #expect(rejection(mutation(.create, ["title": .text("again")], base: 0), deleted)?.code == "deleted")
    }

    @Test func aCreateByAClientThatSawTheDeleteRestoresTheRecordWithEveryField() throws {
        var deleted = state()
        deleted.tombstone = .init(seq: 5, timestamp: early)
        let result = try merge(mutation(.create, ["title": .text("back")], base: 5), deleted)
        #expect(result.restores && result.outcome == .applied)
        #expect(result.accepted == ["title": .text("back"), "rank": .null, "body": .null, "summary": .null], "absent fields are cleared")
    }

    @Test func clientsOnlyUpdateServerCreatedRecords() throws {
        let conflicts = CollectionSchema.conflicts
        let create = Mutation(mutationID: 1, collection: "conflicts", recordID: id, operation: .create, fields: ["status": .text("open")], baseSeq: 0, timestamp: late)
        #expect(rejection(create, nil, schema: conflicts)?.code == "server_managed")
        var resolve = create
        resolve.operation = .update
        resolve.fields = ["status": .text("resolved")]
        let existing = RecordState(fields: ["status": .text("open")], fieldSeqs: ["status": 1], fieldStamps: ["status": early])
        #expect(rejection(resolve, existing, schema: conflicts) == nil)
        #expect(try ThreeWayMerge.merge(resolve, into: existing, schema: conflicts).get().accepted == ["status": .text("resolved")])
        resolve.fields = ["status": .text("maybe")]
        #expect(rejection(resolve, existing, schema: conflicts)?.reason == "status must be one of open, resolved")
    }

    @Test func canonicalValuesAreWhatEveryReplicaDigests() {
        let schema = CollectionSchema(name: "t", fields: [
            FieldSchema("at", .timestamp, .lww), FieldSchema("owner", .uuid, .lww), FieldSchema("share", .real, .lww),
        ])
        let canonical = schema.canonical(["at": .text("2026-11-24T09:30:00Z"), "owner": .text("0B6F9A52-6C51-4E47-9D0B-3F1E2A3B4C5D"), "share": .int(3)])
        #expect(canonical == ["at": .text("2026-11-24T09:30:00.000Z"), "owner": .text("0b6f9a52-6c51-4e47-9d0b-3f1e2a3b4c5d"), "share": .double(3)])
        let id = UUID()
        let first = RecordDigest.digest(id: id, seq: 1, fields: ["share": .int(3)], schema: schema)
        #expect(first == RecordDigest.digest(id: id, seq: 1, fields: ["share": .double(3)], schema: schema))
        #expect(first != RecordDigest.digest(id: id, seq: 2, fields: ["share": .double(3)], schema: schema), "the seq is part of the digest")
        #expect(RecordDigest.digest(id: id, seq: 1, fields: ["owner": .text("1")], schema: schema)
            != RecordDigest.digest(id: id, seq: 1, fields: ["at": .text("1")], schema: schema), "values are digested per field")
    }

    // MARK: update, per policy and field

    @Test(arguments: ["rank", "summary"])
    func editsToDifferentFieldsMergeCleanly(concurrentField: String) throws {
        let server = state(changed: concurrentField, to: concurrentField == "rank" ? .int(9) : .text("server"))
        for (field, value) in [("title", FieldValue.text("mine")), ("body", .text("mine"))] {
            let result = try merge(mutation(.update, [field: value]), server)
            #expect(result.outcome == .applied, "\(field) beside a concurrent \(concurrentField)")
            #expect(result.accepted == [field: value])
        }
    }

    @Test func lwwSameFieldLaterEditWins() throws {
        let result = try merge(mutation(.update, ["title": .text("mine")], at: late), state(changed: "title", at: early))
        #expect(result.outcome == .applied)
        #expect(result.accepted == ["title": .text("mine")])
    }

    @Test func lwwSameFieldEarlierEditLosesButIsKept() throws {
        let result = try merge(mutation(.update, ["title": .text("mine")], at: early), state(changed: "title", at: late))
        #expect(result.outcome == .merged)
        #expect(result.accepted.isEmpty)
        #expect(result.overridden == ["title": .text("mine")])
    }

    @Test func lwwTiesAreBrokenByClientID() throws {
        let sameMoment = HLCTimestamp(millis: 5_000, node: "client-a")
        let mine = HLCTimestamp(millis: 5_000, node: "client-b")
        let result = try merge(mutation(.update, ["title": .text("mine")], at: mine), state(changed: "title", at: sameMoment))
        #expect(result.accepted == ["title": .text("mine")], "client-b sorts after client-a")
    }

    @Test func reviewSameFieldBecomesAConflictAndTheServerKeepsItsValue() throws {
        let result = try merge(mutation(.update, ["body": .text("mine"), "title": .text("also mine")], at: late), state(changed: "body", at: early))
        #expect(result.outcome == .conflict)
        #expect(result.conflictingFields == ["body": .text("mine")])
        #expect(result.accepted == ["title": .text("also mine")], "the rest of the edit still applies")
    }

    @Test func reviewSameFieldWithTheSameValueIsNoConflict() throws {
        let result = try merge(mutation(.update, ["body": .text("server")]), state(changed: "body", to: .text("server")))
        #expect(result.outcome == .applied)
    }

    @Test func anEditThatSawTheServerChangeIsNotConcurrent() throws {
        let result = try merge(mutation(.update, ["body": .text("mine")], base: 5, at: early), state(changed: "body", at: late))
        #expect(result.outcome == .applied)
        #expect(result.accepted == ["body": .text("mine")])
    }

    @Test func aClientsSecondOfflineEditOfAFieldIsNotAConflictWithItsFirst() throws {
        // Both edits were made offline on top of seq 1; the first arrived as seq 5.
        let first = HLCTimestamp(millis: 3_000, node: "client-b")
        let second = HLCTimestamp(millis: 4_000, node: "client-b")
        let result = try merge(mutation(.update, ["body": .text("second")], base: 1, at: second), state(changed: "body", to: .text("first"), at: first))
        #expect(result.outcome == .applied)
        #expect(result.accepted == ["body": .text("second")])
    }

    @Test func anotherClientsEditWithTheSameBaseStaysConcurrent() throws {
        let theirs = HLCTimestamp(millis: 3_000, node: "client-a")
        let mine = HLCTimestamp(millis: 4_000, node: "client-b")
        let result = try merge(mutation(.update, ["body": .text("mine")], base: 1, at: mine), state(changed: "body", at: theirs))
        #expect(result.outcome == .conflict)
    }

    @Test func aRecordCreatedAndDeletedOfflineIsDeleted() throws {
        let created = HLCTimestamp(millis: 3_000, node: "client-b")
        let record = RecordState(
            fields: ["title": .text("t"), "body": .text("draft")], fieldSeqs: ["title": 7, "body": 7],
            fieldStamps: ["title": created, "body": created]
        )
        let result = try merge(mutation(.delete, base: 0, at: HLCTimestamp(millis: 4_000, node: "client-b")), record)
        #expect(result.deletes && result.recordConflict == nil)
    }

    @Test func updateOfAMissingRecordIsRejected() {
        #expect(rejection(mutation(.update, ["title": .text("x")]), nil)?.code == "not_found")
    }

    // MARK: update against delete

    @Test func aLaterLwwEditOfAConcurrentlyDeletedRecordIsAConflictNotAResurrection() throws {
        var deleted = state()
        deleted.tombstone = .init(seq: 5, timestamp: early)
        let result = try merge(mutation(.update, ["title": .text("mine")], at: late), deleted)
        #expect(result.outcome == .conflict)
        #expect(result.recordConflict == .editedWhileDeleted)
        #expect(result.accepted.isEmpty && !result.deletes)
        #expect(result.conflictingFields == ["title": .text("mine")])
    }

    @Test func anEarlierLwwEditOfAConcurrentlyDeletedRecordLosesToTheDelete() throws {
        var deleted = state()
        deleted.tombstone = .init(seq: 5, timestamp: late)
        let result = try merge(mutation(.update, ["title": .text("mine")], at: early), deleted)
        #expect(result.outcome == .merged)
        #expect(result.overridden == ["title": .text("mine")])
    }

    @Test func aReviewEditOfAConcurrentlyDeletedRecordIsAConflict() throws {
        var deleted = state()
        deleted.tombstone = .init(seq: 5, timestamp: late)
        let result = try merge(mutation(.update, ["body": .text("mine")], at: early), deleted)
        #expect(result.recordConflict == .editedWhileDeleted)
    }

    @Test func anEditMadeAfterSeeingTheDeleteIsRejected() {
        var deleted = state()
        deleted.tombstone = .init(seq: 5, timestamp: early)
        #expect(rejection(mutation(.update, ["title": .text("x")], base: 5), deleted)?.code == "deleted")
    }

    // MARK: delete

    @Test func deleteWithoutConcurrentEditsDeletes() throws {
        let clean = try merge(mutation(.delete, base: 5), state(changed: "title"))
        #expect(clean.deletes && clean.outcome == .applied)
    }

    @Test func deleteLaterThanAConcurrentLwwEditWins() throws {
        let result = try merge(mutation(.delete, at: late), state(changed: "rank", to: .int(3), at: early))
        #expect(result.deletes)
        #expect(result.outcome == .applied)
    }

    @Test func deleteEarlierThanAConcurrentLwwEditIsAConflict() throws {
        let result = try merge(mutation(.delete, at: early), state(changed: "rank", to: .int(3), at: late))
        #expect(!result.deletes)
        #expect(result.recordConflict == .deletedWhileEdited)
    }

    @Test func deleteAgainstAConcurrentReviewEditIsAConflict() throws {
        let result = try merge(mutation(.delete, at: late), state(changed: "body", at: early))
        #expect(!result.deletes)
        #expect(result.recordConflict == .deletedWhileEdited)
    }

    @Test func deletingAMissingOrDeletedRecordChangesNothing() throws {
        #expect(try merge(mutation(.delete), nil) == MergeResult())
        var deleted = state()
        deleted.tombstone = .init(seq: 5, timestamp: early)
        #expect(try merge(mutation(.delete), deleted) == MergeResult())
    }

    // MARK: validation and append-only

    @Test func appendOnlyCollectionsAcceptCreatesOnly() throws {
        let create = Mutation(mutationID: 1, collection: "readings", recordID: id, operation: .create, fields: ["value": .double(1.5)], baseSeq: 0, timestamp: late)
        #expect(try merge(create, nil, schema: Self.readings).accepted == ["value": .double(1.5)])
        for operation in [MutationOperation.update, .delete] {
            var change = create
            change.operation = operation
            #expect(rejection(change, state(), schema: Self.readings)?.code == "append_only")
        }
    }

    @Test func invalidFieldsRejectTheWholeMutationWithAReadableReason() {
        let unknown = rejection(mutation(.update, ["colour": .text("red")]), state())
        #expect(unknown?.code == "invalid")
        #expect(unknown?.reason.contains("colour is not a field of cards") == true)
        #expect(rejection(mutation(.update, ["rank": .text("high")]), state())?.reason == "rank must be an integer")
        #expect(rejection(mutation(.update, ["title": .null]), state())?.reason.contains("title is required") == true)
        #expect(rejection(mutation(.create, ["body": .text("no title")], base: 0), nil)?.reason == "title is required")
    }

    @Test func notesValidateTheirTypes() {
        let notes = CollectionSchema.notes
        #expect(notes.validate(["title": .text("Q3 dip"), "subject": .text("kpis/\(UUID())"), "pinned": .bool(true)], creating: true).isEmpty)
        #expect(notes.validate(["title": .text("x"), "subject": .text("not a reference")], creating: true).map(\.field) == ["subject"])
        #expect(notes.validate(["pinned": .int(1)], creating: false).map(\.field) == ["pinned"])
        #expect(notes.validate(["body": .text("a\u{0}b")], creating: false).map(\.message) == ["cannot contain the NUL character (U+0000)"])
    }
}

@Suite("Hybrid logical clock")
struct HybridLogicalClockTests {
    @Test func ordersByTimeThenCounterThenNode() {
        let a = HLCTimestamp(millis: 10, counter: 5, node: "z")
        let b = HLCTimestamp(millis: 11, counter: 0, node: "a")
        let c = HLCTimestamp(millis: 11, counter: 1, node: "a")
        let d = HLCTimestamp(millis: 11, counter: 1, node: "b")
        #expect([d, c, b, a].sorted() == [a, b, c, d])
        #expect([d, c, b, a].map(\.description).sorted() == [a, b, c, d].map(\.description), "text order is time order")
        #expect(HLCTimestamp(c.description) == c)
        #expect(HLCTimestamp("not-a-time") == nil)
    }

    @Test func ticksIncreaseEvenWhenTheWallClockStepsBack() {
        var clock = HybridLogicalClock(node: "a")
        let first = clock.tick(now: 1_000)
        let second = clock.tick(now: 1_000)
        let third = clock.tick(now: 400)
        let fourth = clock.tick(now: 2_000)
        #expect(first < second && second < third && third < fourth)
        #expect(third.millis == 1_000 && third.counter == 2)
        #expect(fourth == HLCTimestamp(millis: 2_000, node: "a"))
    }

    @Test func aClockOnceSetFarAheadRestartsFromTheCorrectedTime() {
        let now: Int64 = 1_800_000_000_000
        var clock = HybridLogicalClock(node: "a", last: HLCTimestamp(millis: now + HybridLogicalClock.maxLeadMillis + 1, node: "a"))
        #expect(clock.tick(now: now) == HLCTimestamp(millis: now, node: "a"))
        var slightlyAhead = HybridLogicalClock(node: "a", last: HLCTimestamp(millis: now + 5_000, node: "a"))
        #expect(slightlyAhead.tick(now: now) == HLCTimestamp(millis: now + 5_000, counter: 1, node: "a"), "ordinary drift keeps the order")
    }

    @Test func afterObservingARemoteTimestampLocalEventsOrderAfterIt() {
        var clock = HybridLogicalClock(node: "a")
        _ = clock.tick(now: 1_000)
        let remote = HLCTimestamp(millis: 5_000, counter: 7, node: "b")
        clock.observe(remote, now: 1_001)
        let next = clock.tick(now: 1_002)
        #expect(next > remote)
        #expect(next.node == "a")
    }

    @Test func anExhaustedCounterMovesToTheNextMillisecond() {
        var clock = HybridLogicalClock(node: "a", last: HLCTimestamp(millis: 10, counter: .max, node: "a"))
        #expect(clock.tick(now: 10) == HLCTimestamp(millis: 11, node: "a"))
    }

    @Test func timestampsTravelAsTheirText() throws {
        let stamp = HLCTimestamp(millis: 1_732_400_000_000, counter: 3, node: "client-7")
        let data = try JSONEncoder().encode(stamp)
        #expect(String(decoding: data, as: UTF8.self) == "\"001732400000000-0000000003-client-7\"")
        #expect(try JSONDecoder().decode(HLCTimestamp.self, from: data) == stamp)
    }
}
