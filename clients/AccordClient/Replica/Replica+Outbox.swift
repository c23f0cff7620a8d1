public import AccordCore
public import Foundation
import GRDB

/// A local change the server refused, kept until the user retries or discards it.
public struct RejectedChange: Sendable, Codable, Equatable {
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
                        INSERT OR REPLACE INTO rejections (mutation_id, collection, record_id, operation, fields, code, reason, rejected_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [
                        mutation.mutationID, mutation.collection, mutation.recordID.uuidString.lowercased(), mutation.operation.rawValue,
                        try ReplicaJSON.text(mutation.fields), result.code ?? "rejected", result.reason ?? "the server refused this change",
                        ReplicaJSON.now(),
                    ])
            }
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
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM rejections ORDER BY mutation_id")).map { row in
                RejectedChange(
                    mutationID: row["mutation_id"], collection: row["collection"], recordID: UUID(uuidString: row["record_id"]) ?? UUID(),
                    operation: MutationOperation(rawValue: row["operation"]) ?? .update,
                    fields: try ReplicaJSON.decode(RecordFields.self, row["fields"]), code: row["code"], reason: row["reason"],
                    rejectedAt: ReplicaJSON.date(row["rejected_at"]) ?? Date()
                )
            }
        }
    }

    /// Drops a rejected change for good.
    public func discardRejection(_ mutationID: Int64) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM rejections WHERE mutation_id = ?").execute(arguments: [mutationID])
            guard db.changesCount > 0 else { throw ClientError.notFound("there is no rejected change \(mutationID)") }
        }
    }

    /// Queues a rejected change again as a new mutation, with `edits` applied over its fields.
    public func retryRejection(_ mutationID: Int64, edits: RecordFields = [:]) throws {
        guard let rejected = try rejections().first(where: { $0.mutationID == mutationID }) else {
            throw ClientError.notFound("there is no rejected change \(mutationID)")
        }
        let fields = rejected.fields.merging(edits) { $1 }
        let schema = try self.schema(rejected.collection)
        let checked = rejected.operation == .delete ? [:] : try Self.checked(rejected.operation, fields, for: schema)
        try pool.write { db in
            let key = rejected.recordID.uuidString.lowercased()
            let base = try Self.ensureShadow(key, schema, db)
            try Self.enqueue(rejected.operation, collection: schema.name, id: key, fields: checked, base: base, db)
            try db.cachedStatement(sql: "DELETE FROM rejections WHERE mutation_id = ?").execute(arguments: [mutationID])
            try Self.rebuildShadowed(db, catalog: catalog, caughtUp: false)
        }
        notifyLocalWrite()
    }
}
