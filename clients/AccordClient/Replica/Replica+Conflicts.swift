public import AccordCore
public import Foundation
import GRDB

/// A concurrent edit waiting for a person, as every replica sees it.
public struct Conflict: Sendable, Codable, Equatable {
    public var id: UUID
    public var collection: String
    public var recordID: UUID
    public var kind: ConflictKind
    /// The field, for a field conflict.
    public var field: String?
    /// JSON text of the values: for a field conflict, the field's value as the editing client last saw it
    /// (base), the value the server kept (theirs) and the client's (mine); for a record conflict, objects
    /// of fields, and null on the side that deleted.
    public var base: String?
    public var theirs: String?
    public var mine: String?
    public var clientID: UUID?
    public var status: String
    public var resolution: String?
    /// When the server raised it, for an open conflict; when it was resolved, for a resolved one.
    public var changedAt: Date?
}

/// How a person settles a conflict.
public enum ConflictResolution: Sendable, Equatable {
    /// Take the value of the edit that lost (the client's).
    case mine
    /// Keep what the server kept.
    case theirs
    /// Set a new value for a field conflict.
    case value(FieldValue)

    var name: String {
        switch self {
        case .mine: "mine"
        case .theirs: "theirs"
        case .value: "value"
        }
    }
}

extension Replica {
    /// Conflicts, open ones first.
    public func conflicts(includeResolved: Bool = false) throws -> [Conflict] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM conflicts \(includeResolved ? "" : "WHERE status = 'open'") ORDER BY status, _seq"
            ).compactMap(Self.conflict)
        }
    }

    public func conflict(_ id: UUID) throws -> Conflict {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM conflicts WHERE id = ?", arguments: [id.uuidString.lowercased()]),
                let conflict = Self.conflict(row)
            else { throw ClientError.notFound("there is no conflict \(id.uuidString.lowercased()) in this replica; run accord sync") }
            return conflict
        }
    }

    /// Settles a conflict with normal mutations: the record takes the chosen value, and the conflict is marked
    /// resolved (the server records by whom). Both are queued in one transaction.
    public func resolve(_ id: UUID, with resolution: ConflictResolution) throws {
        let conflict = try conflict(id)
        guard conflict.status == "open" else { throw ClientError.invalidInput("conflict \(id.uuidString.lowercased()) is already resolved") }
        let schema = try self.schema(conflict.collection)
        try pool.write { db in
            let record = conflict.recordID.uuidString.lowercased()
            switch (conflict.kind, resolution) {
            case (_, .theirs):
                break
            case (.field, .mine), (.field, .value):
                guard let field = conflict.field else { break }
                let value: FieldValue
                if case .value(let chosen) = resolution { value = chosen } else { value = try ReplicaJSON.decode(FieldValue.self, conflict.mine ?? "null") }
                let fields = try Self.checked(.update, [field: value], for: schema)
                guard try Self.exists(record, in: schema, db) else {
                    throw ClientError.notFound("\(conflict.collection) \(record) no longer exists; resolve with --theirs")
                }
                let base = try Self.ensureShadow(record, schema, db)
                try Self.writeVisible(record, fields, seq: nil, schema, db)
                try Self.enqueue(.update, collection: schema.name, id: record, fields: fields, base: base, db)
            case (.editedWhileDeleted, .mine):
                // Restores the record as it was at its deletion, with this client's edit over it.
                let deleted = try conflict.theirs.map { try ReplicaJSON.decode(RecordFields.self, $0) } ?? [:]
                let edits = try conflict.mine.map { try ReplicaJSON.decode(RecordFields.self, $0) } ?? [:]
                let fields = try Self.checked(.create, deleted.merging(edits) { $1 }, for: schema)
                let cursor = try Int64.fetchOne(db, sql: "SELECT cursor FROM sync_state") ?? 0
                try Self.ensureShadow(record, schema, db)
                try Self.writeVisible(record, schema.fields.reduce(into: [:]) { $0[$1.name] = fields[$1.name] ?? .null }, seq: 0, schema, db)
                try Self.enqueue(.create, collection: schema.name, id: record, fields: fields, base: cursor, db)
            case (.deletedWhileEdited, .mine):
                guard try Self.exists(record, in: schema, db) else { break }
                let base = try Self.ensureShadow(record, schema, db)
                try db.execute(sql: "DELETE FROM \(schema.quotedTable) WHERE id = ?", arguments: [record])
                try Self.enqueue(.delete, collection: schema.name, id: record, fields: [:], base: base, db)
            case (_, .value):
                throw ClientError.invalidInput("a record conflict is resolved with mine or theirs, not a value")
            }
            let settled: RecordFields = ["status": .text("resolved"), "resolution": .text(resolution.name)]
            let conflicts = CollectionSchema.conflicts
            let key = conflict.id.uuidString.lowercased()
            let base = try Self.ensureShadow(key, conflicts, db)
            try Self.writeVisible(key, settled, seq: nil, conflicts, db)
            try Self.enqueue(.update, collection: conflicts.name, id: key, fields: settled, base: base, db)
        }
        notifyLocalWrite()
    }

    private static func conflict(_ row: Row) -> Conflict? {
        guard let id = UUID(uuidString: row["id"]), let record = UUID(uuidString: row["record_id"] ?? ""),
            let kind = ConflictKind(rawValue: row["kind"] ?? "")
        else { return nil }
        return Conflict(
            id: id, collection: row["collection"] ?? "", recordID: record, kind: kind, field: row["field"], base: row["base_value"],
            theirs: row["server_value"], mine: row["client_value"], clientID: (row["client_id"] as String?).flatMap(UUID.init(uuidString:)),
            status: row["status"] ?? "open", resolution: row["resolution"], changedAt: ReplicaJSON.date(row["_updated_at"])
        )
    }
}
