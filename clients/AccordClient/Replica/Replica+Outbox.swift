public import AccordCore
public import Foundation
import GRDB

/// A local change the server refused, kept until the user retries or discards it.
public struct RejectedChange: Sendable, Codable, Equatable {
    /// The rejection's own number, which `accord rejections` shows.
    public var id: Int64
    public var mutationID: Int64
    public var collection: String
    public var recordID: UUID
    public var operation: MutationOperation
    public var fields: RecordFields
    public var code: String
    public var reason: String
    public var rejectedAt: Date
}

extension Replica {
    /// The oldest pending mutations, in order.
    func pendingBatch(limit: Int) throws -> [Mutation] {
        try pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM outbox ORDER BY mutation_id LIMIT ?"), arguments: [limit]).map { row in
                Mutation(
                    mutationID: row["mutation_id"], collection: row["collection"], recordID: UUID(uuidString: row["record_id"]) ?? UUID(),
                    operation: MutationOperation(rawValue: row["operation"]) ?? .update,
                    fields: try ReplicaJSON.decode(RecordFields.self, row["fields"]), baseSeq: row["base_seq"],
                    timestamp: HLCTimestamp(row["stamp"]) ?? HLCTimestamp(millis: 0, node: clientID.uuidString.lowercased())
                )
            }
        }
    }

    /// Takes the server's outcomes off the outbox; rejected mutations move to the rejection inbox. The visible
    /// rows are rebuilt once the following pull has brought the server's state.
    func acknowledge(_ results: [MutationResult], of mutations: [Mutation]) throws {
        let byID = Dictionary(uniqueKeysWithValues: mutations.map { ($0.mutationID, $0) })
        try pool.write { db in
            for result in results {
                try db.cachedStatement(sql: "DELETE FROM outbox WHERE mutation_id = ?").execute(arguments: [result.mutationID])
                guard result.outcome == .rejected, let mutation = byID[result.mutationID] else { continue }
                try db.cachedStatement(sql: """
                        INSERT INTO rejections (mutation_id, collection, record_id, operation, fields, code, reason, rejected_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [
                        mutation.mutationID, mutation.collection, mutation.recordID.uuidString.lowercased(), mutation.operation.rawValue,
                        try ReplicaJSON.text(mutation.fields), result.code ?? "rejected", result.reason ?? "the server refused this change",
                        ReplicaJSON.now(),
                    ])
            }
        }
    }

    /// Gives the pending mutations from `first` on the ids from `expected` on, in the same order, and hands out
    /// ids after them next: the server has applied everything before `expected` from this replica, and nothing
    /// it has under the ids being replaced is one of these mutations.
    func renumberPending(from first: Int64, to expected: Int64) throws {
        try pool.write { db in
            let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT mutation_id FROM outbox WHERE mutation_id >= ? ORDER BY mutation_id"), arguments: [first])
            // Negative ids first, so no renumbered row ever meets one that has not moved yet.
            try db.execute(sql: "UPDATE outbox SET mutation_id = -mutation_id WHERE mutation_id >= ?", arguments: [first])
            for (offset, id) in ids.enumerated() {
                try db.cachedStatement(sql: "UPDATE outbox SET mutation_id = ? WHERE mutation_id = ?").execute(arguments: [expected + Int64(offset), -id])
            }
            let next = max(expected + Int64(ids.count), try Int64.fetchOne(db, sql: "SELECT coalesce(max(mutation_id), 0) + 1 FROM outbox") ?? 1)
            try db.execute(sql: "UPDATE sync_state SET next_mutation_id = ?", arguments: [next])
        }
    }

    public func pendingCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM outbox")) ?? 0 }
    }

    /// The pending local changes, oldest first.
    public func pending() throws -> [Mutation] {
        try pendingBatch(limit: .max)
    }

    // MARK: - Rejections

    public func rejections() throws -> [RejectedChange] {
        try pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM rejections ORDER BY id")).map { row in
                RejectedChange(
                    id: row["id"], mutationID: row["mutation_id"], collection: row["collection"], recordID: UUID(uuidString: row["record_id"]) ?? UUID(),
                    operation: MutationOperation(rawValue: row["operation"]) ?? .update,
                    fields: try ReplicaJSON.decode(RecordFields.self, row["fields"]), code: row["code"], reason: row["reason"],
                    rejectedAt: ReplicaJSON.date(row["rejected_at"]) ?? Date()
                )
            }
        }
    }

    /// Drops a rejected change for good.
    public func discardRejection(_ id: Int64) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM rejections WHERE id = ?").execute(arguments: [id])
            guard db.changesCount > 0 else { throw ClientError.notFound("there is no rejected change \(id)") }
        }
    }

    /// Queues a rejected change again as a new mutation, with `edits` applied over its fields.
    public func retryRejection(_ id: Int64, edits: RecordFields = [:]) throws {
        guard let rejected = try rejections().first(where: { $0.id == id }) else {
            throw ClientError.notFound("there is no rejected change \(id)")
        }
        let fields = rejected.fields.merging(edits) { $1 }
        let schema = try self.schema(rejected.collection)
        let checked = rejected.operation == .delete ? [:] : try Self.checked(rejected.operation, fields, for: schema)
        try pool.write { db in
            let key = rejected.recordID.uuidString.lowercased()
            let base = try Self.ensureShadow(key, schema, db)
            try Self.enqueue(rejected.operation, collection: schema.name, id: key, fields: checked, base: base, db)
            try db.cachedStatement(sql: "DELETE FROM rejections WHERE id = ?").execute(arguments: [id])
            try Self.rebuildShadowed(db, catalog: catalog, caughtUp: false)
        }
        notifyLocalWrite()
    }
}
