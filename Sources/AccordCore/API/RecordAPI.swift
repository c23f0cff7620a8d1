public import Foundation

/// A record as the REST API shows it: its fields, the seq of its last change (its version, for `If-Match`),
/// and whether it is deleted.
public struct RecordResponse: Codable, Sendable, Equatable {
    public var id: UUID
    public var seq: Int64
    public var deleted: Bool
    public var updatedAt: Date
    public var fields: RecordFields

    public init(id: UUID, seq: Int64, deleted: Bool, updatedAt: Date, fields: RecordFields) {
        self.id = id
        self.seq = seq
        self.deleted = deleted
        self.updatedAt = updatedAt
        self.fields = fields
    }
}

/// One page of a collection's records, in id order; `nextCursor` asks for the next page, and is absent on
/// the last one.
public struct RecordPage: Codable, Sendable, Equatable {
    public var records: [RecordResponse]
    public var nextCursor: UUID?

    public init(records: [RecordResponse], nextCursor: UUID?) {
        self.records = records
        self.nextCursor = nextCursor
    }
}

/// One change of a record from the change log: who made it and when, and each changed field's value before
/// (`previous`) and after (`fields`).
public struct RecordHistoryEntry: Codable, Sendable, Equatable {
    public var seq: Int64
    public var operation: MutationOperation
    public var outcome: MergeOutcome
    public var actor: UUID?
    /// The actor's name, while they have an account.
    public var actorName: String?
    public var at: Date
    public var fields: RecordFields
    public var previous: RecordFields

    public init(
        seq: Int64, operation: MutationOperation, outcome: MergeOutcome, actor: UUID?, actorName: String?, at: Date, fields: RecordFields,
        previous: RecordFields
    ) {
        self.seq = seq
        self.operation = operation
        self.outcome = outcome
        self.actor = actor
        self.actorName = actorName
        self.at = at
        self.fields = fields
        self.previous = previous
    }
}

/// A record's history, oldest change first. Changes older than the server keeps are no longer listed;
/// `complete` says whether the list reaches back to the record's creation.
public struct RecordHistory: Codable, Sendable, Equatable {
    public var changes: [RecordHistoryEntry]
    public var complete: Bool

    public init(changes: [RecordHistoryEntry], complete: Bool) {
        self.changes = changes
        self.complete = complete
    }
}
