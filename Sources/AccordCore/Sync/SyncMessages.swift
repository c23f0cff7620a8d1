public import Foundation

/// The sync protocol's version and the messages of its endpoints, as `docs/sync-protocol.md` describes them.
public enum SyncProtocol {
    /// The version this build speaks; a client sends it in `versionHeader`.
    public static let version = 1
    /// The versions a server of this build serves.
    public static let supportedVersions = [1]
    public static let versionHeader = "Accord-Protocol"
    /// The fields a client knows, as `Catalog.declaredFields` spells them; a server with more fields in one of
    /// those collections answers `client_outdated` rather than let the client drop their values.
    public static let fieldsHeader = "Accord-Fields"
    /// Changes per pull page unless the client asks for fewer.
    public static let defaultPullLimit = 1_000
    public static let maxPullLimit = 10_000
    public static let maxPushBatch = 1_000
}

/// `POST /v1/orgs/{org}/sync/push`: an ordered batch of one client's mutations.
public struct PushRequest: Sendable, Codable {
    public var clientID: UUID
    public var mutations: [Mutation]

    public init(clientID: UUID, mutations: [Mutation]) {
        self.clientID = clientID
        self.mutations = mutations
    }
}

/// What became of one pushed mutation.
public struct MutationResult: Sendable, Codable, Equatable {
    public var mutationID: Int64
    public var outcome: MergeOutcome
    /// The change the mutation made, when it made one.
    public var seq: Int64?
    /// For `rejected`: a stable code and a reason a person can act on.
    public var code: String?
    public var reason: String?
    /// The conflict records the mutation raised.
    public var conflictIDs: [UUID]

    public init(mutationID: Int64, outcome: MergeOutcome, seq: Int64? = nil, code: String? = nil, reason: String? = nil, conflictIDs: [UUID] = []) {
        self.mutationID = mutationID
        self.outcome = outcome
        self.seq = seq
        self.code = code
        self.reason = reason
        self.conflictIDs = conflictIDs
    }
}

public struct PushResponse: Sendable, Codable {
    public var results: [MutationResult]
    /// The organization's latest seq after the batch.
    public var head: Int64

    public init(results: [MutationResult], head: Int64) {
        self.results = results
        self.head = head
    }
}

/// One entry of an organization's change log.
public struct Change: Sendable, Codable, Equatable {
    public var seq: Int64
    public var collection: String
    public var recordID: UUID
    public var operation: MutationOperation
    public var outcome: MergeOutcome
    /// The fields this change wrote; for a create or restore, every field.
    public var fields: RecordFields
    /// The values the written fields replaced.
    public var previous: RecordFields
    /// Values that lost to a later concurrent edit.
    public var overridden: RecordFields
    public var actor: UUID?
    public var clientID: UUID?
    public var mutationID: Int64?
    public var timestamp: HLCTimestamp
    public var at: Date

    public init(
        seq: Int64, collection: String, recordID: UUID, operation: MutationOperation, outcome: MergeOutcome, fields: RecordFields,
        previous: RecordFields = [:], overridden: RecordFields = [:], actor: UUID?, clientID: UUID?, mutationID: Int64?,
        timestamp: HLCTimestamp, at: Date
    ) {
        self.seq = seq
        self.collection = collection
        self.recordID = recordID
        self.operation = operation
        self.outcome = outcome
        self.fields = fields
        self.previous = previous
        self.overridden = overridden
        self.actor = actor
        self.clientID = clientID
        self.mutationID = mutationID
        self.timestamp = timestamp
        self.at = at
    }
}

/// `GET /v1/orgs/{org}/sync/pull?since=SEQ&limit=N`.
public struct PullResponse: Sendable, Codable {
    public var changes: [Change]
    /// The cursor to pull from next: the seq of the last change returned, or `since` when there were none.
    public var next: Int64
    public var more: Bool
    public var epoch: UUID
    /// Set when `more` is false: every collection's checksum at `next`.
    public var checksums: [String: CollectionChecksum]?

    public init(changes: [Change], next: Int64, more: Bool, epoch: UUID, checksums: [String: CollectionChecksum]?) {
        self.changes = changes
        self.next = next
        self.more = more
        self.epoch = epoch
        self.checksums = checksums
    }
}

/// One line of `GET /v1/orgs/{org}/sync/snapshot`, which is newline-delimited JSON: a header, the records,
/// then an end line with the checksums. Each line is an object with one key: `header`, `record` or `end`.
public enum SnapshotLine: Sendable, Codable, Equatable {
    case header(SnapshotHeader)
    case record(SnapshotRecord)
    case end(SnapshotEnd)

    private enum CodingKeys: String, CodingKey { case header, record, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let header = try container.decodeIfPresent(SnapshotHeader.self, forKey: .header) {
            self = .header(header)
        } else if let record = try container.decodeIfPresent(SnapshotRecord.self, forKey: .record) {
            self = .record(record)
        } else if let end = try container.decodeIfPresent(SnapshotEnd.self, forKey: .end) {
            self = .end(end)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a snapshot line has a header, record or end key"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .header(let header): try container.encode(header, forKey: .header)
        case .record(let record): try container.encode(record, forKey: .record)
        case .end(let end): try container.encode(end, forKey: .end)
        }
    }
}

/// The first line of a snapshot: the seq it corresponds to, and how many records follow.
public struct SnapshotHeader: Sendable, Codable, Equatable {
    public var seq: Int64
    public var epoch: UUID
    public var rows: Int64

    public init(seq: Int64, epoch: UUID, rows: Int64) {
        self.seq = seq
        self.epoch = epoch
        self.rows = rows
    }
}

/// The last line of a snapshot; a snapshot without it was cut off.
public struct SnapshotEnd: Sendable, Codable, Equatable {
    public var checksums: [String: CollectionChecksum]

    public init(checksums: [String: CollectionChecksum]) {
        self.checksums = checksums
    }
}

/// One current record in a snapshot.
public struct SnapshotRecord: Sendable, Codable, Equatable {
    public var collection: String
    public var id: UUID
    public var seq: Int64
    public var fields: RecordFields
    public var createdBy: UUID?
    public var updatedBy: UUID?
    public var updatedAt: Date

    public init(collection: String, id: UUID, seq: Int64, fields: RecordFields, createdBy: UUID?, updatedBy: UUID?, updatedAt: Date) {
        self.collection = collection
        self.id = id
        self.seq = seq
        self.fields = fields
        self.createdBy = createdBy
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

/// The answer to a pull whose cursor the server can no longer serve: the client must take a snapshot.
public struct ResyncRequired: Sendable, Codable {
    public static let code = "resync_required"
    public var horizon: Int64
    public var epoch: UUID
}

/// The JSON settings of every sync message: dates as ISO 8601, keys sorted so equal messages are equal bytes.
public enum SyncCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
