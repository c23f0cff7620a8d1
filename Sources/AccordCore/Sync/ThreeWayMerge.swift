/// What the server holds for a record when a mutation for it arrives.
public struct RecordState: Sendable, Equatable {
    public var fields: RecordFields
    /// The seq of the change that last set each field.
    public var fieldSeqs: [String: Int64]
    /// The edit time of the change that last set each field.
    public var fieldStamps: [String: HLCTimestamp]
    /// Set when the record is deleted: the seq and edit time of the delete.
    public var tombstone: Tombstone?

    public struct Tombstone: Sendable, Equatable {
        public var seq: Int64
        public var timestamp: HLCTimestamp

        public init(seq: Int64, timestamp: HLCTimestamp) {
            self.seq = seq
            self.timestamp = timestamp
        }
    }

    public init(fields: RecordFields, fieldSeqs: [String: Int64], fieldStamps: [String: HLCTimestamp], tombstone: Tombstone? = nil) {
        self.fields = fields
        self.fieldSeqs = fieldSeqs
        self.fieldStamps = fieldStamps
        self.tombstone = tombstone
    }
}

/// A mutation refused as a whole, with a code and a reason a person can act on.
public struct Rejection: Error, Sendable, Equatable, Codable {
    public var code: String
    public var reason: String

    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// What the merge decided for one mutation. Nothing the client sent is dropped silently: every value is
/// either written, kept as a losing value in the change log (`overridden`), or held in a conflict.
public struct MergeResult: Sendable, Equatable {
    /// Values to write now.
    public var accepted: RecordFields = [:]
    /// Client values that lost to a later concurrent `lww` edit; the server's value stays.
    public var overridden: RecordFields = [:]
    /// `review` fields whose client value differs from a concurrent server edit; the server keeps its value.
    public var conflictingFields: RecordFields = [:]
    /// Whether the record becomes a tombstone.
    public var deletes = false
    /// Whether a deleted record comes back, with `accepted` as its fields.
    public var restores = false
    /// Set when the mutation clashes with a concurrent delete or edit of the whole record.
    public var recordConflict: ConflictKind?

    public init() {}

    /// `applied` when everything was taken as sent; `merged` when a concurrent edit decided some of it;
    /// `conflict` when a person must decide.
    public var outcome: MergeOutcome {
        if recordConflict != nil || !conflictingFields.isEmpty { return .conflict }
        if !overridden.isEmpty { return .merged }
        return .applied
    }
}

public enum MergeOutcome: String, Sendable, Codable {
    case applied
    case merged
    case conflict
    case rejected
}

/// The three-way merge: the mutation's base seq says what the client had seen; a field changed on the
/// server after that base is a concurrent edit, resolved by the field's policy. It merges changes that
/// `WritePolicy.refusal` admitted.
public enum ThreeWayMerge {
    public static func merge(_ mutation: Mutation, into state: RecordState?, schema: CollectionSchema) -> Result<MergeResult, Rejection> {
        switch mutation.operation {
        case .create:
            guard let state else {
                var result = MergeResult()
                result.accepted = mutation.fields
                return .success(result)
            }
            if let tombstone = state.tombstone {
                // A client that has seen the delete may deliberately restore the record; an unaware create may not.
                guard mutation.baseSeq >= tombstone.seq else {
                    return .failure(Rejection(code: "deleted", reason: "\(schema.name) \(mutation.recordID) was deleted and cannot be created again"))
                }
                var result = MergeResult()
                for field in schema.fields { result.accepted[field.name] = mutation.fields[field.name] ?? .null }
                result.restores = true
                return .success(result)
            }
            // The same id created twice (two replays of one offline create): every field is concurrent.
            return .success(update(mutation, state: state, schema: schema))
        case .update:
            guard let state else {
                return .failure(Rejection(code: "not_found", reason: "\(schema.name) \(mutation.recordID) does not exist on the server"))
            }
            if let tombstone = state.tombstone {
                return updateOfDeleted(mutation, tombstone: tombstone, schema: schema)
            }
            return .success(update(mutation, state: state, schema: schema))
        case .delete:
            guard let state, state.tombstone == nil else { return .success(MergeResult()) }
            return .success(delete(mutation, state: state, schema: schema))
        }
    }

    /// Whether the field changed on the server after the client's base without the client knowing. A client
    /// always knows its own earlier edits, even those it made offline on top of the same base.
    private static func isConcurrent(_ field: String, in state: RecordState, base: Int64, with mutation: Mutation) -> Bool {
        guard (state.fieldSeqs[field] ?? 0) > base else { return false }
        guard let stamp = state.fieldStamps[field] else { return true }
        return !(stamp.node == mutation.timestamp.node && stamp < mutation.timestamp)
    }

    private static func update(_ mutation: Mutation, state: RecordState, schema: CollectionSchema) -> MergeResult {
        var result = MergeResult()
        let base = mutation.operation == .create ? 0 : mutation.baseSeq
        for (name, value) in mutation.fields {
            guard isConcurrent(name, in: state, base: base, with: mutation), let field = schema.field(name) else {
                result.accepted[name] = value
                continue
            }
            if state.fields[name] == value {
                continue
            }
            switch field.policy {
            case .lww:
                let serverStamp = state.fieldStamps[name] ?? HLCTimestamp(millis: .min, node: "")
                if mutation.timestamp > serverStamp {
                    result.accepted[name] = value
                } else {
                    result.overridden[name] = value
                }
            case .review:
                result.conflictingFields[name] = value
            }
        }
        return result
    }

    private static func updateOfDeleted(_ mutation: Mutation, tombstone: RecordState.Tombstone, schema: CollectionSchema) -> Result<MergeResult, Rejection> {
        guard tombstone.seq > mutation.baseSeq else {
            return .failure(Rejection(code: "deleted", reason: "\(schema.name) \(mutation.recordID) was deleted before this edit was made"))
        }
        var result = MergeResult()
        let reviewed = mutation.fields.keys.contains { schema.field($0)?.policy == .review }
        if reviewed || mutation.timestamp > tombstone.timestamp {
            // Never a silent resurrection: the edit waits in a conflict, and the record stays deleted.
            result.recordConflict = .editedWhileDeleted
            result.conflictingFields = mutation.fields
        } else {
            result.overridden = mutation.fields
        }
        return .success(result)
    }

    private static func delete(_ mutation: Mutation, state: RecordState, schema: CollectionSchema) -> MergeResult {
        var result = MergeResult()
        let concurrent = state.fieldSeqs.keys.filter { isConcurrent($0, in: state, base: mutation.baseSeq, with: mutation) }
        let reviewed = concurrent.contains { schema.field($0)?.policy == .review }
        let latestEdit = concurrent.compactMap { state.fieldStamps[$0] }.max()
        if reviewed || (latestEdit.map { $0 > mutation.timestamp } ?? false) {
            result.recordConflict = .deletedWhileEdited
        } else {
            result.deletes = true
        }
        return result
    }
}
