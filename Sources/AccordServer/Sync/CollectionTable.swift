import AccordCore
import Foundation
import PostgresNIO

/// A record as the server stores it: its fields, the bookkeeping the merge needs, and its last change.
struct StoredRecord: Sendable {
    var seq: Int64
    var state: RecordState

    var isLive: Bool { state.tombstone == nil }
}

/// A collection's PostgreSQL table: typed columns named after the declared fields, plus the sync columns
/// every synced table carries (`seq`, `field_seqs`, `field_stamps`, the tombstone, created/updated metadata).
struct CollectionTable: Sendable {
    let schema: CollectionSchema

    var table: String { quoted(schema.name) }
    var columns: String { schema.fields.map { quoted($0.name) }.joined(separator: ", ") }

    /// Who made a change, from which client, and when on its clock.
    struct Author: Sendable {
        var actor: UUID?
        var clientID: UUID?
        var timestamp: HLCTimestamp
    }

    /// The record with a row lock, so concurrent pushes to it merge one after the other.
    func load(_ id: UUID, org: UUID, in tx: Transaction) async throws -> StoredRecord? {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT seq, field_seqs::text, field_stamps::text, deleted_seq, deleted_stamp, \(columns)
                FROM \(table) WHERE org_id = $1 AND id = $2 FOR UPDATE
                """,
            binds: bindings(org, id)
        )
        for try await row in try await tx.query(query) {
            return try storedRecord(row)
        }
        return nil
    }

    /// Those of the records that exist, each with a row lock, in one statement: a push loads its batch this way
    /// rather than one record per round trip. Locks are taken in id order, so two batches cannot deadlock here.
    func load(_ ids: [UUID], org: UUID, in tx: Transaction) async throws -> [UUID: StoredRecord] {
        var binds = bindings(org)
        binds.append(ids)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT id, seq, field_seqs::text, field_stamps::text, deleted_seq, deleted_stamp, \(columns)
                FROM \(table) WHERE org_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE
                """,
            binds: binds
        )
        var records: [UUID: StoredRecord] = [:]
        for try await row in try await tx.query(query) {
            records[try row.makeRandomAccess()["id"].decode(UUID.self)] = try storedRecord(row)
        }
        return records
    }

    private func storedRecord(_ row: PostgresRow) throws -> StoredRecord {
        let cells = row.makeRandomAccess()
        var fields: RecordFields = [:]
        for field in schema.fields {
            fields[field.name] = try field.type.value(of: cells[field.name])
        }
        let stamps = try SyncJSON.decode([String: HLCTimestamp].self, cells["field_stamps"].decode(String.self))
        var tombstone: RecordState.Tombstone?
        if let deletedSeq = try cells["deleted_seq"].decode(Int64?.self),
            let stamp = try cells["deleted_stamp"].decode(String?.self).flatMap(HLCTimestamp.init)
        {
            tombstone = .init(seq: deletedSeq, timestamp: stamp)
        }
        return StoredRecord(
            seq: try cells["seq"].decode(Int64.self),
            state: RecordState(
                fields: fields,
                fieldSeqs: try SyncJSON.decode([String: Int64].self, cells["field_seqs"].decode(String.self)),
                fieldStamps: stamps,
                tombstone: tombstone
            )
        )
    }

    /// Writes a new record with every declared field (absent ones null).
    func insert(_ id: UUID, org: UUID, seq: Int64, fields: RecordFields, by author: Author, in tx: Transaction) async throws {
        var binds = bindings(org, id)
        binds.append(seq)
        binds.append(try SyncJSON.text(Dictionary(uniqueKeysWithValues: schema.fields.map { ($0.name, seq) })))
        binds.append(try SyncJSON.text(Dictionary(uniqueKeysWithValues: schema.fields.map { ($0.name, author.timestamp) })))
        binds.append(author.actor)
        binds.append(author.clientID)
        for field in schema.fields {
            try binds.append(fields[field.name] ?? .null, as: field.type)
        }
        let placeholders = (0..<schema.fields.count).map { "$\($0 + 8)" }.joined(separator: ", ")
        try await tx.query(PostgresQuery(
            unsafeSQL: """
                INSERT INTO \(table) (org_id, id, seq, field_seqs, field_stamps, created_by, created_client,
                                      updated_by, updated_client, \(columns))
                VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $6, $7, \(placeholders))
                """,
            binds: binds
        ))
    }

    /// Writes `fields` and records `seq` as their last change; `restoring` also lifts the tombstone.
    func update(
        _ id: UUID, org: UUID, seq: Int64, fields: RecordFields, restoring: Bool = false, by author: Author, in tx: Transaction
    ) async throws {
        var binds = bindings(org, id)
        binds.append(seq)
        binds.append(try SyncJSON.text(fields.mapValues { _ in seq }))
        binds.append(try SyncJSON.text(fields.mapValues { _ in author.timestamp }))
        binds.append(author.actor)
        binds.append(author.clientID)
        var assignments: [String] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let field = schema.field(name) else { continue }
            try binds.append(value, as: field.type)
            assignments.append("\(quoted(name)) = $\(binds.count)")
        }
        if restoring { assignments.append("deleted_seq = NULL, deleted_stamp = NULL") }
        try await tx.query(PostgresQuery(
            unsafeSQL: """
                UPDATE \(table) SET seq = $3, field_seqs = field_seqs || $4::jsonb, field_stamps = field_stamps || $5::jsonb,
                    updated_by = $6, updated_client = $7, updated_at = now()\(assignments.map { ", " + $0 }.joined())
                WHERE org_id = $1 AND id = $2
                """,
            binds: binds
        ))
    }

    /// Turns the record into a tombstone; its values stay for the history and for conflicts.
    func delete(_ id: UUID, org: UUID, seq: Int64, by author: Author, in tx: Transaction) async throws {
        var binds = bindings(org, id)
        binds.append(seq)
        binds.append(author.timestamp.description)
        binds.append(author.actor)
        binds.append(author.clientID)
        try await tx.query(PostgresQuery(
            unsafeSQL: """
                UPDATE \(table) SET seq = $3, deleted_seq = $3, deleted_stamp = $4, updated_by = $5, updated_client = $6,
                    updated_at = now()
                WHERE org_id = $1 AND id = $2
                """,
            binds: binds
        ))
    }

    func bindings(_ values: UUID...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count + schema.fields.count + 6)
        for value in values { binds.append(value) }
        return binds
    }
}
