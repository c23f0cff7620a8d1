public import Foundation

/// What a mutation does to its record.
public enum MutationOperation: String, Sendable, Codable {
    case create
    case update
    case delete
}

/// One change a client made, as it travels in a push.
public struct Mutation: Sendable, Codable, Equatable {
    /// Increases by one with each mutation of the same client.
    public var mutationID: Int64
    public var collection: String
    public var recordID: UUID
    public var operation: MutationOperation
    /// The changed fields only; empty for a delete.
    public var fields: RecordFields
    /// The seq of the record's last change the client had seen when it made the edit; 0 for a new record.
    public var baseSeq: Int64
    /// When the edit was made, on the client's hybrid logical clock.
    public var timestamp: HLCTimestamp

    public init(
        mutationID: Int64, collection: String, recordID: UUID, operation: MutationOperation, fields: RecordFields = [:],
        baseSeq: Int64, timestamp: HLCTimestamp
    ) {
        self.mutationID = mutationID
        self.collection = collection
        self.recordID = recordID
        self.operation = operation
        self.fields = fields
        self.baseSeq = baseSeq
        self.timestamp = timestamp
    }
}
