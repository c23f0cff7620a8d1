import AccordCore
import Foundation
import GRDB

/// Applying the server's state: pulled changes, snapshots, and re-applying pending local changes on top.
///
/// A record without pending local changes is written straight into its table. A record with pending
/// changes has its server state kept in the shadow table instead; after each batch its visible row is
/// rebuilt as the server's state with the still-pending outbox replayed over it, so local edits never
/// vanish and never block incoming data.
extension Replica {
    /// A pull page made ready to write: for each change to a record without pending local changes, the one
    /// statement that writes it and its arguments, built while the page before it is written.
    struct PreparedPage: Sendable {
        struct Entry: Sendable {
            let change: Change
            let schema: CollectionSchema
            let id: String
            let statement: (sql: String, values: [DatabaseValue])?
        }

        let page: PullResponse
        let entries: [Entry]

        init(_ page: PullResponse, catalog: Catalog) {
            self.page = page
            // A page's changes mostly write the same few sets of fields: each statement's text is built once.
            var texts = StatementTexts()
            var schemas: [String: CollectionSchema] = [:]
            entries = page.changes.compactMap { change in
                guard let schema = schemas[change.collection] ?? catalog.named(change.collection) else { return nil }
                schemas[change.collection] = schema
                let id = change.recordID.lowercasedText
                return Entry(change: change, schema: schema, id: id, statement: Replica.visibleWrite(of: change, id: id, schema, texts: &texts))
            }
        }
    }

    /// The texts of the statements that write pulled changes, by collection and the fields they write.
    struct StatementTexts {
        private var creates: [String: String] = [:]
        private var updates: [String: [[String]: String]] = [:]

        mutating func create(_ schema: CollectionSchema) -> String {
            if let text = creates[schema.name] { return text }
            let updates = (["_seq", "_created_by", "_updated_by", "_updated_at"] + schema.fields.map { $0.name.quotedDatabaseIdentifier })
                .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            let text = """
                INSERT INTO \(schema.quotedTable) (id, _seq, _created_by, _updated_by, _updated_at, \(schema.quotedColumns))
                VALUES (?, ?, ?, ?, ?\(String(repeating: ", ?", count: schema.fields.count)))
                ON CONFLICT (id) DO UPDATE SET \(updates)
                """
            creates[schema.name] = text
            return text
        }

        mutating func update(_ schema: CollectionSchema, writing names: [String]) -> String {
            if let text = updates[schema.name]?[names] { return text }
            let assignments = names.map { ", \($0.quotedDatabaseIdentifier) = ?" }.joined()
            let text = "UPDATE \(schema.quotedTable) SET _seq = ?, _updated_by = ?, _updated_at = ?\(assignments) WHERE id = ?"
            updates[schema.name, default: [:]][names] = text
            return text
        }
    }

    /// How the writer is tuned while many pull pages are written in a row. A page's changes are spread over the
    /// whole table, so with SQLite's defaults nearly every page's transaction is followed by a checkpoint that
    /// writes the same table pages to the database file again, and most rows are read back from the file because
    /// the page cache (2 MB) holds a fraction of the table. Catching up checkpoints every 10,000 log pages (40 MB)
    /// instead of 1,000, and caches 16 MB of pages.
    func setCatchingUp(_ catchingUp: Bool) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(catchingUp ? Self.catchUpCheckpointPages : 1_000)")
            // Truncating the log after every checkpoint would make the file system allocate it again each time; the
            // limit applies again once caught up, so the grown log shrinks at the next checkpoint.
            try db.execute(sql: "PRAGMA journal_size_limit = \(catchingUp ? -1 : Replica.logSizeLimit)")
            try db.execute(sql: "PRAGMA cache_size = \(catchingUp ? -Self.catchUpCacheKiB : -2_000)")
        }
    }

    /// Log pages between checkpoints while catching up.
    public static let catchUpCheckpointPages = 10_000
    /// The page cache while catching up, in KiB.
    public static let catchUpCacheKiB = 16_384

    /// Applies a pull page and moves the cursor, in one transaction.
    func apply(_ page: PullResponse) throws {
        try apply(PreparedPage(page, catalog: catalog))
    }

    func apply(_ prepared: PreparedPage) throws {
        let page = prepared.page
        try pool.write { db in
            var latest: HLCTimestamp?
            // Records with pending local changes are few: read their ids once per page, not once per change.
            var shadowed: [String: Set<String>] = [:]
            for entry in prepared.entries {
                let (change, schema, id) = (entry.change, entry.schema, entry.id)
                if shadowed[schema.name] == nil { shadowed[schema.name] = try Self.shadowedIDs(schema, db) }
                let isShadowed = shadowed[schema.name]!.contains(id)
                if !isShadowed, let (sql, values) = entry.statement {
                    try db.cachedStatement(sql: sql).execute(binding: values)
                } else {
                    try Self.apply(change, id: id, shadowed: isShadowed, schema, db)
                }
                latest = max(latest ?? change.timestamp, change.timestamp)
            }
            try db.cachedStatement(sql: "UPDATE sync_state SET cursor = ?, epoch = ?, server_checksums = coalesce(?, server_checksums)")
                .execute(arguments: [page.next, page.epoch.uuidString.lowercased(), try page.checksums.map(ReplicaJSON.text)])
            if let latest { try Self.observe(latest, db) }
            try Self.rebuildShadowed(db, catalog: catalog, caughtUp: !page.more)
        }
    }

    /// The statement that writes a created or updated record without a shadow, fields and who changed it last
    /// together; nil for a delete or an update that writes nothing.
    static func visibleWrite(
        of change: Change, id: String, _ schema: CollectionSchema, texts: inout StatementTexts
    ) -> (sql: String, values: [DatabaseValue])? {
        let actor = change.actor?.lowercasedText
        let at = FieldSchema.canonicalTime(change.at)
        switch change.operation {
        case .create:
            var columns: [DatabaseValue] = [id.databaseValue, change.seq.databaseValue, actor.databaseValue, actor.databaseValue, at.databaseValue]
            columns += schema.fields.map { (change.fields[$0.name] ?? .null).databaseValue }
            return (texts.create(schema), columns)
        case .update:
            let names = change.fields.keys.filter { schema.field($0) != nil }.sorted()
            guard !names.isEmpty else { return nil }
            var columns: [DatabaseValue] = [change.seq.databaseValue, actor.databaseValue, at.databaseValue]
            columns += names.map { change.fields[$0]!.databaseValue }
            columns.append(id.databaseValue)
            return (texts.update(schema, writing: names), columns)
        case .delete:
            return nil
        }
    }

    /// Writes one change. A record without a shadow gets its fields and who changed it last in one statement.
    private static func apply(_ change: Change, id: String, shadowed: Bool, _ schema: CollectionSchema, _ db: Database) throws {
        let actor = change.actor?.uuidString.lowercased()
        let at = FieldSchema.canonicalTime(change.at)
        switch change.operation {
        case .create:
            guard shadowed else {
                // Written as a prepared page writes it; only a record with a shadow takes the path below.
                var texts = StatementTexts()
                if let (sql, values) = visibleWrite(of: change, id: id, schema, texts: &texts) { try db.cachedStatement(sql: sql).execute(binding: values) }
                return
            }
            let fields = schema.fields.reduce(into: RecordFields()) { $0[$1.name] = change.fields[$1.name] ?? .null }
            try writeShadow(id, fields, seq: change.seq, exists: true, snapshot: nil, schema, db)
            try stamp(actor: actor, at: at, created: true, on: id, schema, db)
        case .update:
            guard !change.fields.isEmpty else { return }
            let names = change.fields.keys.filter { schema.field($0) != nil }.sorted()
            let assignments = names.map { ", \($0.quotedDatabaseIdentifier) = ?" }.joined()
            var arguments = StatementArguments([change.seq])
            if shadowed {
                arguments += StatementArguments(columns: names.map { change.fields[$0]!.databaseValue })
                arguments += [id]
                try db.cachedStatement(sql: "UPDATE \(schema.quotedShadowTable) SET _seq = ?\(assignments) WHERE id = ?").execute(arguments: arguments)
                try stamp(actor: actor, at: at, created: false, on: id, schema, db)
                return
            }
            arguments += [actor, at]
            arguments += StatementArguments(columns: names.map { change.fields[$0]!.databaseValue })
            arguments += [id]
            try db.cachedStatement(sql: "UPDATE \(schema.quotedTable) SET _seq = ?, _updated_by = ?, _updated_at = ?\(assignments) WHERE id = ?")
                .execute(arguments: arguments)
        case .delete:
            if shadowed {
                try db.cachedStatement(sql: "UPDATE \(schema.quotedShadowTable) SET _exists = 0, _seq = ? WHERE id = ?")
                    .execute(arguments: [change.seq, id])
            } else {
                try db.cachedStatement(sql: "DELETE FROM \(schema.quotedTable) WHERE id = ?").execute(arguments: [id])
            }
        }
    }

    /// Records who made a change and when on the visible row of a record whose server state is in its shadow.
    private static func stamp(actor: String?, at: String, created: Bool, on id: String, _ schema: CollectionSchema, _ db: Database) throws {
        try db.cachedStatement(sql: """
                UPDATE \(schema.quotedTable) SET _updated_by = ?, _updated_at = ?\(created ? ", _created_by = ?" : "") WHERE id = ?
                """
        ).execute(arguments: created ? [actor, at, actor, id] : [actor, at, id])
    }

    static func shadowedIDs(_ schema: CollectionSchema, _ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM \(schema.quotedShadowTable)")))
    }

    static func writeShadow(_ id: String, _ fields: RecordFields, seq: Int64, exists: Bool, snapshot: Int64?, _ schema: CollectionSchema, _ db: Database) throws {
        var arguments = StatementArguments(columns: [id.databaseValue, seq.databaseValue, exists.databaseValue, (snapshot ?? 0).databaseValue])
        arguments += StatementArguments(columns: schema.fields.map { (fields[$0.name] ?? .null).databaseValue })
        try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO \(schema.quotedShadowTable) (id, _seq, _exists, _snapshot, \(schema.quotedColumns))
                VALUES (?, ?, ?, ?\(String(repeating: ", ?", count: schema.fields.count)))
                """).execute(arguments: arguments)
    }

    /// Rebuilds the visible row of every record with a shadow: the server's state with the pending outbox
    /// replayed over it. A record with nothing pending any more leaves the shadow table once the replica has
    /// `caughtUp` with the server; until then its pushed changes may still be on their way, and the visible
    /// row, which shows them, stays as it is.
    static func rebuildShadowed(_ db: Database, catalog: Catalog, caughtUp: Bool) throws {
        for schema in catalog.collections {
            for shadow in try Row.fetchAll(db.cachedStatement(sql: "SELECT \(schema.selectedColumns), _exists FROM \(schema.quotedShadowTable)")) {
                let id: String = shadow["id"]
                let seq: Int64 = shadow["_seq"]
                let serverFields = schema.fields(of: shadow)
                var state: RecordFields? = (shadow["_exists"] as Bool) ? serverFields : nil
                let pending = try Row.fetchAll(
                    db, sql: "SELECT operation, fields FROM outbox WHERE collection = ? AND record_id = ? ORDER BY mutation_id",
                    arguments: [schema.name, id]
                )
                if pending.isEmpty && !caughtUp { continue }
                for mutation in pending {
                    let fields = try ReplicaJSON.decode(RecordFields.self, mutation["fields"])
                    switch MutationOperation(rawValue: mutation["operation"]) {
                    case .create?: state = schema.fields.reduce(into: [:]) { $0[$1.name] = fields[$1.name] ?? .null }
                    case .update?: state = (state ?? serverFields).merging(fields) { $1 }
                    case .delete?: state = nil
                    case nil: continue
                    }
                }
                if let state {
                    try writeVisible(id, state, seq: seq, schema, db)
                } else {
                    try db.cachedStatement(sql: "DELETE FROM \(schema.quotedTable) WHERE id = ?").execute(arguments: [id])
                }
                if pending.isEmpty {
                    try db.cachedStatement(sql: "DELETE FROM \(schema.quotedShadowTable) WHERE id = ?").execute(arguments: [id])
                }
            }
        }
    }

    static func observe(_ remote: HLCTimestamp, _ db: Database) throws {
        guard let state = try Row.fetchOne(db.cachedStatement(sql: "SELECT client_id, clock FROM sync_state")) else { return }
        var clock = HybridLogicalClock(node: state["client_id"], last: (state["clock"] as String?).flatMap(HLCTimestamp.init))
        clock.observe(remote, now: Int64(Date().timeIntervalSince1970 * 1_000))
        try db.cachedStatement(sql: "UPDATE sync_state SET clock = ?").execute(arguments: [clock.last.description])
    }

    // MARK: - Snapshots

    /// Starts a snapshot: later records are tagged with a new generation, so the ones missing at the end can go.
    func beginSnapshot() throws -> Int64 {
        try pool.write { db in
            try db.cachedStatement(sql: "UPDATE sync_state SET needs_snapshot = 1, snapshot_generation = snapshot_generation + 1").execute()
            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT snapshot_generation FROM sync_state")) ?? 1
        }
    }

    /// A snapshot record made ready to write: its columns converted and its digest computed, which a reader can
    /// do while the batch before it is written.
    struct SnapshotRow: Sendable {
        let record: SnapshotRecord
        let schema: CollectionSchema
        let id: String
        let columns: [DatabaseValue]
        let digest: UInt64

        init?(_ record: SnapshotRecord, generation: Int64, catalog: Catalog) {
            guard let schema = catalog.named(record.collection) else { return nil }
            let id = record.id.lowercasedText
            // jsonb's own spelling of a json field becomes the canonical one the rest of the replica keeps.
            var record = record
            for field in schema.fields where field.type == .json {
                if let value = record.fields[field.name] { record.fields[field.name] = field.canonical(value) }
            }
            let fields = schema.fields.map { (record.fields[$0.name] ?? .null).databaseValue }
            var values: [DatabaseValue] = [
                id.databaseValue, record.seq.databaseValue, generation.databaseValue,
                record.createdBy?.lowercasedText.databaseValue ?? .null, record.updatedBy?.lowercasedText.databaseValue ?? .null,
                FieldSchema.canonicalTime(record.updatedAt).databaseValue,
            ]
            values.append(contentsOf: fields)
            self.record = record
            self.schema = schema
            self.id = id
            self.columns = values
            self.digest = ReplicaChecksums.digest(id: id, seq: record.seq, columns: fields, schema)
        }
    }

    /// Writes a batch of snapshot records in one transaction.
    func applySnapshot(_ records: [SnapshotRecord], generation: Int64) throws {
        try applySnapshot(records.compactMap { SnapshotRow($0, generation: generation, catalog: catalog) }, generation: generation)
    }

    /// Writes a batch of prepared snapshot rows in one transaction. The visible rows' digests are added to the
    /// sums once per collection instead of by a trigger per row; a row it replaces still leaves through its trigger.
    func applySnapshot(_ rows: [SnapshotRow], generation: Int64) throws {
        try pool.write { db in
            // Per collection, once per batch: the ids with pending local changes (few), the insert, the digests added.
            var shadowed: [String: Set<String>] = [:]
            var inserts: [String: Statement] = [:]
            var added: [String: CollectionChecksum] = [:]
            try counting.suspended {
                for row in rows {
                    let (schema, record, id) = (row.schema, row.record, row.id)
                    if shadowed[schema.name] == nil { shadowed[schema.name] = try Self.shadowedIDs(schema, db) }
                    if shadowed[schema.name]!.contains(id) {
                        try Self.writeShadow(id, record.fields, seq: record.seq, exists: true, snapshot: generation, schema, db)
                        try db.cachedStatement(sql: "UPDATE \(schema.quotedTable) SET _created_by = ?, _updated_by = ?, _updated_at = ? WHERE id = ?")
                            .execute(arguments: [
                                record.createdBy?.lowercasedText, record.updatedBy?.lowercasedText, FieldSchema.canonicalTime(record.updatedAt), id,
                            ])
                        continue
                    }
                    let insert = try inserts[schema.name] ?? db.cachedStatement(sql: """
                        INSERT OR REPLACE INTO \(schema.quotedTable) (id, _seq, _snapshot, _created_by, _updated_by, _updated_at, \(schema.quotedColumns))
                        VALUES (?, ?, ?, ?, ?, ?\(String(repeating: ", ?", count: schema.fields.count)))
                        """)
                    inserts[schema.name] = insert
                    try insert.execute(binding: row.columns)
                    added[schema.name, default: CollectionChecksum()].add(row.digest)
                }
            }
            for (name, sum) in added {
                guard let schema = catalog.named(name) else { continue }
                try ReplicaChecksums.add(sum, to: schema, in: db)
            }
        }
    }

    /// Ends a snapshot: records it did not contain are gone on the server, and the cursor moves to its seq.
    func finishSnapshot(_ header: SnapshotHeader, _ end: SnapshotEnd, generation: Int64) throws {
        try pool.write { db in
            for schema in catalog.collections {
                try db.cachedStatement(sql: """
                        DELETE FROM \(schema.quotedTable) WHERE _snapshot <> ? AND id NOT IN (SELECT id FROM \(schema.quotedShadowTable))
                        """).execute(arguments: [generation])
                try db.cachedStatement(sql: "UPDATE \(schema.quotedShadowTable) SET _exists = 0 WHERE _snapshot <> ?")
                    .execute(arguments: [generation])
            }
            try db.cachedStatement(sql: "UPDATE sync_state SET cursor = ?, epoch = ?, needs_snapshot = 0, server_checksums = ?")
                .execute(arguments: [header.seq, header.epoch.uuidString.lowercased(), try ReplicaJSON.text(end.checksums)])
            try Self.rebuildShadowed(db, catalog: catalog, caughtUp: true)
        }
    }

    /// Makes the next sync take a snapshot, for a replica that differs from the server.
    func requireSnapshot() throws {
        try pool.write { db in try db.cachedStatement(sql: "UPDATE sync_state SET needs_snapshot = 1").execute() }
    }
}
