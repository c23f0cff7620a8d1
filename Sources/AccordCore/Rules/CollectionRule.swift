public import Foundation

/// What a rule is given to judge one change.
public struct RuleInput: Sendable {
    public var collection: CollectionSchema
    public var recordID: UUID
    public var operation: MutationOperation
    /// The fields the change sets, as sent.
    public var changes: RecordFields
    /// The record before the change; nil when it is new or deleted.
    public var stored: RecordFields?
    /// The record as it will be once the change is made; nil when the change deletes it.
    public var merged: RecordFields?
    public var actor: RuleActor
    public var view: any RecordView
    /// The judge's clock: the server's when it decides, the device's when a replica warns.
    public var now: Date

    public init(
        collection: CollectionSchema, recordID: UUID, operation: MutationOperation, changes: RecordFields,
        stored: RecordFields?, merged: RecordFields?, actor: RuleActor, view: any RecordView, now: Date = Date()
    ) {
        self.now = now
        self.collection = collection
        self.recordID = recordID
        self.operation = operation
        self.changes = changes
        self.stored = stored
        self.merged = merged
        self.actor = actor
        self.view = view
    }

    /// Whether the change sets `field` to a value other than the stored one.
    public func changes(_ field: String) -> Bool {
        guard let value = changes[field] else { return false }
        return stored?[field] != value
    }
}

/// A change a rule asks the server to make in the same transaction as the change it judged, such as the
/// definition's new current version when a proposal is approved. It goes through the same write path, and
/// if it is refused, the change that asked for it is refused too.
public struct FollowUp: Sendable, Equatable {
    public var collection: String
    public var recordID: UUID
    public var operation: MutationOperation
    public var fields: RecordFields

    public init(_ operation: MutationOperation, _ collection: String, _ recordID: UUID, _ fields: RecordFields = [:]) {
        self.collection = collection
        self.recordID = recordID
        self.operation = operation
        self.fields = fields
    }
}

/// A rule's answer: refuse with a reason, or accept, perhaps with fields the server sets on the record itself
/// (`stamps`, such as who resolved a conflict) and follow-up changes.
public struct RuleDecision: Sendable, Equatable {
    public var rejection: Rejection?
    public var stamps: RecordFields
    public var followUps: [FollowUp]

    public static let accept = RuleDecision(rejection: nil, stamps: [:], followUps: [])

    public static func accept(stamping stamps: RecordFields = [:], followUps: [FollowUp] = []) -> RuleDecision {
        RuleDecision(rejection: nil, stamps: stamps, followUps: followUps)
    }

    public static func reject(_ code: String, _ reason: String) -> RuleDecision {
        RuleDecision(rejection: Rejection(code: code, reason: reason), stamps: [:], followUps: [])
    }
}

/// One rule of a collection, pure code that the server and every replica run alike.
public struct CollectionRule: Sendable {
    /// Names the rule in messages and tests.
    public var name: String
    public var check: @Sendable (RuleInput) async throws -> RuleDecision

    public init(_ name: String, check: @escaping @Sendable (RuleInput) async throws -> RuleDecision) {
        self.name = name
        self.check = check
    }
}
