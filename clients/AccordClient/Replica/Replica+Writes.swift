public import AccordCore
public import Foundation
import GRDB

/// What a local write did: the record's id, and why the server will probably refuse it, when the rules the
/// server runs refuse it here. The write is queued all the same: the server judges, and this replica's copy
/// of the records it read may be out of date.
public struct LocalWrite: Sendable, Equatable {
    public var id: UUID
    public var warning: Rejection?
}

extension Replica {
    /// Creates a record locally and queues it.
    @discardableResult
    public func create(_ collection: String, _ fields: RecordFields, id: UUID = UUID()) async throws -> LocalWrite {
        let schema = try self.schema(collection)
        let fields = try Self.checked(.create, fields, for: schema)
        let warning = try await warning(.create, of: id, fields, in: schema)
        try await pool.write { db in
            let key = id.uuidString.lowercased()
            guard try !Self.exists(key, in: schema, db) else { throw ClientError.invalidInput("\(collection) \(key) already exists") }
            try Self.ensureShadow(key, schema, db)
            try Self.writeVisible(key, schema.fields.reduce(into: [:]) { $0[$1.name] = fields[$1.name] ?? .null }, seq: 0, schema, db)
            try Self.enqueue(.create, collection: schema.name, id: key, fields: fields, base: 0, db)
        }
        notifyLocalWrite()
        return LocalWrite(id: id, warning: warning)
    }

    /// Changes some fields of a record locally and queues the change.
    @discardableResult
    public func update(_ collection: String, _ id: UUID, _ fields: RecordFields) async throws -> LocalWrite {
        let schema = try self.schema(collection)
        guard !fields.isEmpty else { throw ClientError.invalidInput("name at least one field to change, as field=value") }
        let fields = try Self.checked(.update, fields, for: schema)
        let key = id.uuidString.lowercased()
        guard try record(collection, id) != nil else { throw ClientError.notFound("there is no \(collection) record \(key) in this replica") }
        let warning = try await warning(.update, of: id, fields, in: schema)
        try await pool.write { db in
            guard try Self.exists(key, in: schema, db) else { throw ClientError.notFound("there is no \(collection) record \(key) in this replica") }
            let base = try Self.ensureShadow(key, schema, db)
            try Self.writeVisible(key, fields, seq: nil, schema, db)
            try Self.enqueue(.update, collection: schema.name, id: key, fields: fields, base: base, db)
        }
        notifyLocalWrite()
        return LocalWrite(id: id, warning: warning)
    }

    /// Deletes a record locally and queues the delete.
    @discardableResult
    public func delete(_ collection: String, _ id: UUID) async throws -> LocalWrite {
        let schema = try self.schema(collection)
        _ = try Self.checked(.delete, [:], for: schema)
        let key = id.uuidString.lowercased()
        guard try record(collection, id) != nil else { throw ClientError.notFound("there is no \(collection) record \(key) in this replica") }
        let warning = try await warning(.delete, of: id, [:], in: schema)
        try await pool.write { db in
            guard try Self.exists(key, in: schema, db) else { throw ClientError.notFound("there is no \(collection) record \(key) in this replica") }
            let base = try Self.ensureShadow(key, schema, db)
            try db.cachedStatement(sql: "DELETE FROM \(schema.quotedTable) WHERE id = ?").execute(arguments: [key])
            try Self.enqueue(.delete, collection: schema.name, id: key, fields: [:], base: base, db)
        }
        notifyLocalWrite()
        return LocalWrite(id: id, warning: warning)
    }

    /// Why the server will probably refuse the change, judged as it will judge it: the member's role, then the
    /// collection's rules over this replica's records. Nil when they accept it or no member is known.
    private func warning(_ operation: MutationOperation, of id: UUID, _ fields: RecordFields, in schema: CollectionSchema) async throws -> Rejection? {
        guard let actor = try currentActor() else { return nil }
        if let refusal = WritePolicy.roleRefusal(actor) { return refusal }
        guard !schema.rules.isEmpty else { return nil }
        let stored = try record(schema.name, id)
        let input = RuleInput(
            collection: schema, recordID: id, operation: operation, changes: fields, stored: stored,
            merged: operation == .delete ? nil : (stored ?? [:]).merging(fields) { $1 }, actor: actor, view: ReplicaRecordView(replica: self)
        )
        return try await WritePolicy.judge(input).rejection
    }

    /// One record's current local fields, or nil.
    public func record(_ collection: String, _ id: UUID) throws -> RecordFields? {
        let schema = try self.schema(collection)
        return try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(schema.selectedColumns) FROM \(schema.quotedTable) WHERE id = ?"), arguments: [id.uuidString.lowercased()])
                .map(schema.fields(of:))
        }
    }

    /// The ids of a collection's local records.
    public func recordIDs(_ collection: String) throws -> [UUID] {
        let schema = try self.schema(collection)
        return try pool.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM \(schema.quotedTable) ORDER BY id")).compactMap(UUID.init(uuidString:))
        }
    }

    /// Every local record of a collection, by id.
    public func records(_ collection: String) throws -> [LocalRecord] {
        let schema = try self.schema(collection)
        return try pool.read { db in try Self.records(schema, db) }
    }

    /// The records whose text fields each hold one of their values: a dashboard reads the measurements of its
    /// own KPIs and periods.
    public func records(_ collection: String, where anyOf: [String: [String]]) throws -> [LocalRecord] {
        let schema = try self.schema(collection)
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        for (field, values) in anyOf.sorted(by: { $0.key < $1.key }) {
            guard schema.field(field) != nil else { throw ClientError.invalidInput("\(collection) has no field '\(field)'") }
            conditions.append("\(field.quotedDatabaseIdentifier) IN (SELECT value FROM json_each(?))")
            arguments.append(try ReplicaJSON.text(values))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(schema.selectedColumns) FROM \(schema.quotedTable)\(filter) ORDER BY id", arguments: StatementArguments(arguments)).compactMap { row in
                schema.localRecord(row)
            }
        }
    }

    /// A collection's records now, and again after every transaction that changes them: a local write, a
    /// pulled page or a snapshot batch. For views that stay current while a sync runs; a slow reader gets
    /// the latest state rather than every one in between.
    public func observeRecords(_ collection: String) throws -> AsyncThrowingStream<[LocalRecord], any Error> {
        let schema = try self.schema(collection)
        let values = ValueObservation.tracking { db in try Self.records(schema, db) }
            .removeDuplicates()
            .values(in: pool)
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                do {
                    for try await records in values { continuation.yield(records) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func records(_ schema: CollectionSchema, _ db: Database) throws -> [LocalRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(schema.selectedColumns) FROM \(schema.quotedTable) ORDER BY id")).compactMap { row in
            schema.localRecord(row)
        }
    }

    /// The member as this replica's copy of the `members` collection last saw them, which is fresher than the
    /// role and teams the session remembered when the replica was opened.
    func currentActor() throws -> RuleActor? {
        guard var actor else { return nil }
        guard catalog.named(CollectionSchema.members.name) != nil, let me = try record(CollectionSchema.members.name, actor.userID) else { return actor }
        if case .text(let role)? = me["role"], let known = MemberRole(rawValue: role) { actor.role = known }
        if case .text(let teams)? = me["teams"], let names = try? ReplicaJSON.decode([String].self, teams) { actor.teams = Set(names) }
        return actor
    }

    // MARK: - Building blocks, inside a write transaction

    /// The fields in their canonical spelling, or the error for a change the collection never takes, whatever
    /// the server holds: nothing is queued for it.
    static func checked(_ operation: MutationOperation, _ fields: RecordFields, for schema: CollectionSchema) throws -> RecordFields {
        if let refusal = WritePolicy.shapeRefusal(of: operation, fields: fields, in: schema, origin: .member) {
            throw ClientError.invalidInput(refusal.reason)
        }
        return schema.canonical(fields)
    }

    static func exists(_ id: String, in schema: CollectionSchema, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM \(schema.quotedTable) WHERE id = ?)"), arguments: [id]) ?? false
    }

    /// Keeps the server's state of a record before its first pending local change, and returns the seq of the
    /// record's last server change that this replica has seen (the mutation's base).
    @discardableResult
    static func ensureShadow(_ id: String, _ schema: CollectionSchema, _ db: Database) throws -> Int64 {
        if let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT _seq FROM \(schema.quotedShadowTable) WHERE id = ?"), arguments: [id]) {
            return seq
        }
        try db.cachedStatement(sql: """
                INSERT INTO \(schema.quotedShadowTable) (id, \(schema.quotedColumns), _seq, _exists, _snapshot)
                SELECT id, \(schema.quotedColumns), _seq, 1, _snapshot FROM \(schema.quotedTable) WHERE id = ?
                """).execute(arguments: [id])
        if db.changesCount == 0 {
            try db.cachedStatement(sql: "INSERT INTO \(schema.quotedShadowTable) (id, _seq, _exists) VALUES (?, 0, 0)").execute(arguments: [id])
            return 0
        }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT _seq FROM \(schema.quotedShadowTable) WHERE id = ?"), arguments: [id]) ?? 0
    }

    /// Upserts the visible row with `fields`; `seq` nil keeps the row's seq.
    static func writeVisible(_ id: String, _ fields: RecordFields, seq: Int64?, _ schema: CollectionSchema, _ db: Database) throws {
        let names = fields.keys.filter { schema.field($0) != nil }.sorted()
        let columns = names.map(\.quotedDatabaseIdentifier)
        let updates = (columns.map { "\($0) = excluded.\($0)" } + (seq == nil ? [] : ["_seq = excluded._seq"])).joined(separator: ", ")
        var arguments = StatementArguments(columns: [id.databaseValue, (seq ?? 0).databaseValue])
        arguments += StatementArguments(columns: names.map { fields[$0]!.databaseValue })
        try db.cachedStatement(sql: """
                INSERT INTO \(schema.quotedTable) (id, _seq\(columns.map { ", " + $0 }.joined()))
                VALUES (?, ?\(String(repeating: ", ?", count: names.count)))
                ON CONFLICT (id) DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates)
                """
        ).execute(arguments: arguments)
    }

    /// Appends a mutation to the outbox with the next mutation id and a fresh clock reading.
    static func enqueue(_ operation: MutationOperation, collection: String, id: String, fields: RecordFields, base: Int64, _ db: Database) throws {
        guard let state = try Row.fetchOne(db.cachedStatement(sql: "SELECT client_id, next_mutation_id, clock FROM sync_state")) else { return }
        var clock = HybridLogicalClock(node: state["client_id"], last: (state["clock"] as String?).flatMap(HLCTimestamp.init))
        let stamp = clock.tick(now: Int64(Date().timeIntervalSince1970 * 1_000))
        let mutationID: Int64 = state["next_mutation_id"]
        try db.cachedStatement(sql: """
                INSERT INTO outbox (mutation_id, collection, record_id, operation, fields, base_seq, stamp, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
                    .execute(arguments: [
                        mutationID, collection, id, operation.rawValue, try ReplicaJSON.text(fields), base, stamp.description, ReplicaJSON.now(),
                    ])
        try db.cachedStatement(sql: "UPDATE sync_state SET next_mutation_id = ?, clock = ?").execute(arguments: [mutationID + 1, stamp.description])
    }
}

/// JSON and time text as the replica stores them.
enum ReplicaJSON {
    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func now() -> String { FieldSchema.canonicalTime(Date()) }

    static func date(_ text: String?) -> Date? { text.flatMap(FieldSchema.parseTime) }
}

/// A record as the replica shows it: the server's state with pending local changes on top.
public struct LocalRecord: Sendable, Equatable {
    public var id: UUID
    /// The seq of the last server change the record reflects.
    public var seq: Int64
    public var fields: RecordFields

    public init(id: UUID, seq: Int64, fields: RecordFields) {
        self.id = id
        self.seq = seq
        self.fields = fields
    }
}
