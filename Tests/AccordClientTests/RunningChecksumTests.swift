@testable import AccordClient
import AccordCore
import Foundation
import GRDB
import Testing

/// The replica's kept checksums must equal, after any write, both a full count of its rows and the digests the
/// protocol defines for the server's state.
@Suite("Running checksums")
struct RunningChecksumTests {
    let epoch = UUID()
    var seq: Int64 = 0

    mutating func change(_ operation: MutationOperation, _ id: UUID, _ fields: RecordFields = [:]) -> Change {
        seq += 1
        return Change(
            seq: seq, collection: "notes", recordID: id, operation: operation, outcome: .applied, fields: fields,
            actor: nil, clientID: nil, mutationID: nil, timestamp: HLCTimestamp(millis: 1_000 + seq, node: "server"), at: Date()
        )
    }

    func page(_ changes: [Change]) -> PullResponse {
        PullResponse(changes: changes, next: changes.last?.seq ?? 0, more: false, epoch: epoch, checksums: nil)
    }

    func expectKept(_ replica: Replica, _ server: [UUID: (seq: Int64, fields: RecordFields)], _ step: String) throws {
        var expected = CollectionChecksum()
        for (id, record) in server {
            expected.add(RecordDigest.digest(id: id, seq: record.seq, fields: record.fields, schema: CollectionSchema.notes))
        }
        let kept = try replica.maintainedChecksums()["notes"]
        #expect(kept == expected, "\(step): the kept sum is the server state's")
        #expect(try replica.serverStateChecksums()["notes"] == kept, "\(step): a full count agrees")
    }

    /// A new replica file, removed after `body`.
    static func withReplica(_ body: (Replica) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("accord-checksums-\(UUID()).sqlite")
        let replica = try Replica(at: url, organization: UUID())
        defer {
            try? replica.close()
            try? Replica.remove(at: url)
        }
        try await body(replica)
    }

    @Test mutating func theKeptSumFollowsPullsLocalEditsAndSnapshots() async throws {
        try await Self.withReplica { replica in
            let (a, b, c) = (UUID(), UUID(), UUID())
            var server: [UUID: (seq: Int64, fields: RecordFields)] = [:]
            let created = [a, b, c].map { change(.create, $0, ["title": .text("note \($0)")]) }
            try replica.apply(page(created))
            for each in created { server[each.recordID] = (each.seq, ["title": each.fields["title"]!]) }
            try expectKept(replica, server, "three pulled creates")

            try await replica.update("notes", a, ["pinned": .bool(true)])
            _ = try await replica.create("notes", ["title": .text("only here")])
            try await replica.delete("notes", b)
            try expectKept(replica, server, "local edits leave the server's state alone")

            let edits = [change(.update, a, ["body": .text("from the server")]), change(.update, c, ["title": .text("renamed")]), change(.delete, b)]
            try replica.apply(page(edits))
            server[a] = (edits[0].seq, ["title": server[a]!.fields["title"]!, "body": .text("from the server")])
            server[c] = (edits[1].seq, ["title": .text("renamed")])
            server[b] = nil
            try expectKept(replica, server, "pulled changes to shadowed and plain records")

            let generation = try replica.beginSnapshot()
            let record = SnapshotRecord(collection: "notes", id: c, seq: 9, fields: ["title": .text("as the snapshot has it")], createdBy: nil, updatedBy: nil, updatedAt: Date())
            try replica.applySnapshot([record], generation: generation)
            try replica.finishSnapshot(SnapshotHeader(seq: 9, epoch: epoch, rows: 1), SnapshotEnd(checksums: [:]), generation: generation)
            server = [c: (9, ["title": .text("as the snapshot has it")])]
            try expectKept(replica, server, "a snapshot replaces the server's state")
    
        }
    }

    /// The triggers' `accord_digest` reads SQLite's columns as the protocol's digest reads field values: integers
    /// as booleans where the field is one, ids and UUIDs lowercased, nulls for absent fields.
    @Test func theTriggersDigestAgreesWithTheRecordDigest() async throws {
        try await Self.withReplica { replica in
            let (id, record) = (UUID(), UUID())
            let cases: [(CollectionSchema, RecordFields)] = [
                (CollectionSchema.conflicts, ["collection": .text("notes"), "record_id": .text(record.uuidString), "kind": .text("field"), "mutation_id": .int(42), "status": .text("open")]),
                (CollectionSchema.notes, ["subject": .text(record.uuidString), "title": .text("Q3 dip: the cancelled trade show"), "pinned": .bool(true)]),
            ]
            for (schema, fields) in cases {
                let arguments: [DatabaseValue] = [schema.name.databaseValue, id.uuidString.databaseValue, 5.databaseValue]
                    + schema.fields.map { (fields[$0.name] ?? .null).databaseValue }
                let sql = "SELECT accord_digest(\(Array(repeating: "?", count: arguments.count).joined(separator: ", ")))"
                let digest = try replica.database.read { db in try Int64.fetchOne(db, sql: sql, arguments: StatementArguments(columns: arguments)) }
                #expect(digest.map { UInt64(bitPattern: $0) } == RecordDigest.digest(id: id, seq: 5, fields: fields, schema: schema), "\(schema.name)")
            }
            #expect(throws: DatabaseError.self) {
                try replica.database.read { db in try Int64.fetchOne(db, sql: "SELECT accord_digest('notes', 'a', 1)") }
            }
        }
    }

    /// Sums wrap around 64 bits instead of turning into floats, and what is not an integer counts as zero.
    @Test func theTriggersArithmeticWraps() async throws {
        try await Self.withReplica { replica in
            let results = try replica.database.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT accord_add(9223372036854775807, 1), accord_subtract(-9223372036854775808, 1),
                           accord_subtract(NULL, 1), accord_add(2.0, 'x'), accord_add(2.5, 1)
                    """)
            }
            let values = try #require(results).map(\.1)
            #expect(values == [Int64.min, Int64.max, -1, 2, 1].map(\.databaseValue))
        }
    }

    @Test func aSumThatDriftedIsCountedAgainFromTheRows() async throws {
        try await Self.withReplica { replica in
            try replica.pool.write { db in try db.execute(sql: "UPDATE _checksums SET checksum = 42, rows = 7 WHERE collection = 'notes'") }
            #expect(try replica.maintainedChecksums()["notes"] == CollectionChecksum(checksum: 42, rows: 7))
            try replica.recountChecksums()
            #expect(try replica.maintainedChecksums()["notes"] == CollectionChecksum())
        }
    }
}
