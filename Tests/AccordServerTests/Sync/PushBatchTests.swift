import AccordCore
import AccordServer
import Foundation
import Testing

/// A push loads its batch's records in one statement and writes its log at the end; within the batch, each
/// mutation must still see what the earlier ones did.
@Suite("Push batches")
struct PushBatchTests {
    @Test func mutationsOfOneRecordInABatchBuildOnEachOther() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var client = SyncTestClient(server: server, token: token, org: "acme")
            let (kept, other) = (UUID(), UUID())
            _ = try await client.pushed([client.mutation(.create, kept, ["title": .text("Q3 dip")], base: 0)])

            let results = try await client.pushed([
                client.mutation(.update, kept, ["title": .text("Q3 dip: trade show")], base: 1),
                client.mutation(.create, other, ["title": .text("second")], base: 0),
                client.mutation(.update, kept, ["pinned": .bool(true)], base: 1),
                client.mutation(.update, other, ["body": .text("written after its create")], base: 3),
                client.mutation(.delete, kept, base: 4),
            ])
            #expect(results.map(\.outcome) == [.applied, .applied, .applied, .applied, .applied])
            #expect(results.map(\.seq) == [2, 3, 4, 5, 6])

            let pull = try await client.pull(since: 1)
            #expect(pull.changes.map(\.seq) == [2, 3, 4, 5, 6], "the log holds the batch in order")
            #expect(pull.changes.map(\.operation) == [.update, .create, .update, .update, .delete])
            #expect(pull.changes[2].previous == ["pinned": .null], "the second update saw the first one's record")
            let fields: RecordFields = ["title": .text("second"), "body": .text("written after its create")]
            let digest = RecordDigest.digest(id: other, seq: 5, fields: fields, schema: CollectionSchema.notes)
            #expect(pull.checksums?["notes"] == CollectionChecksum(checksum: digest, rows: 1))

            let again = try await client.pushed([client.mutation(.update, other, ["pinned": .bool(false)], base: 5)])
            #expect(again.map(\.seq) == [7], "outcomes and the client's last mutation were recorded with the batch")
        }
    }

    @Test func concurrentPushesToOneOrganizationKeepItsChecksumsExact() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            let created = try await withThrowingTaskGroup(of: [(UUID, Int64, String)].self) { group in
                for writer in 0..<6 {
                    group.addTask {
                        var client = SyncTestClient(server: server, token: token, org: "acme")
                        var created: [(UUID, Int64, String)] = []
                        for batch in 0..<8 {
                            let titles = (0..<5).map { "writer \(writer), batch \(batch), note \($0)" }
                            let ids = titles.map { _ in UUID() }
                            let mutations = zip(ids, titles).map { client.mutation(.create, $0, ["title": .text($1)], base: 0) }
                            let results = try await client.pushed(mutations)
                            created += zip(zip(ids, results), titles).map { ($0.0, $0.1.seq ?? -1, $1) }
                        }
                        return created
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            var expected = CollectionChecksum()
            for (id, seq, title) in created {
                expected.add(RecordDigest.digest(id: id, seq: seq, fields: ["title": .text(title)], schema: CollectionSchema.notes))
            }
            let client = SyncTestClient(server: server, token: token, org: "acme")
            let head = try await client.pull(since: Int64(created.count), limit: 1)
            #expect(Set(created.map(\.1)) == Set(1...Int64(created.count)), "every create has its own seq")
            #expect(head.checksums?["notes"] == expected, "each push's checksum update saw the pushes committed before it")
        }
    }
}
