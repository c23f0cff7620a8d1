import AccordClient
import AccordCore
import Foundation
import Testing

@Suite("The local replica, offline")
struct ReplicaTests {
    func withReplica(_ body: (Replica) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("accord-replica-test-\(UUID()).sqlite")
        let replica = try Replica(at: url, organization: UUID())
        defer {
            try? replica.close()
            try? Replica.remove(at: url)
        }
        try await body(replica)
    }

    @Test func everyLocalWriteIsQueuedWithIncreasingIdsAndTheRecordsBase() async throws {
        try await withReplica { (replica: Replica) async throws in
            let id = try await replica.create("notes", ["title": .text("Q3 dip")]).id
            try await replica.update("notes", id, ["pinned": .bool(true)])
            try await replica.delete("notes", id)
            let pending = try replica.pending()
            #expect(pending.map(\.mutationID) == [1, 2, 3])
            #expect(pending.map(\.operation) == [.create, .update, .delete])
            #expect(pending.allSatisfy { $0.baseSeq == 0 && $0.recordID == id })
            #expect(pending[0].timestamp < pending[1].timestamp && pending[1].timestamp < pending[2].timestamp)
            #expect(try replica.record("notes", id) == nil)
            #expect(try replica.status().lastMutationID == 3)
        }
    }

    @Test func invalidWritesAreRefusedBeforeTheOutboxAndChangeNothing() async throws {
        try await withReplica { (replica: Replica) async throws in
            await #expect(throws: ClientError.invalidInput("title is required")) { try await replica.create("notes", ["body": .text("no title")]) }
            await #expect(throws: ClientError.self) { try await replica.create("kpis", ["title": .text("x")]) }
            await #expect(throws: ClientError.self) { try await replica.update("notes", UUID(), ["title": .text("x")]) }
            await #expect(throws: ClientError.self) { try await replica.delete("conflicts", UUID()) }
            #expect(try replica.pendingCount() == 0)
            #expect(try replica.records("notes").isEmpty)
        }
    }

    @Test func aReplicaFileBelongsToOneOrganization() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("accord-replica-test-\(UUID()).sqlite")
        defer { try? Replica.remove(at: url) }
        try Replica(at: url, organization: UUID()).close()
        #expect(throws: ClientError.self) { try Replica(at: url, organization: UUID()) }
    }

    @Test func shortIdsFindOneRecord() async throws {
        try await withReplica { (replica: Replica) async throws in
            let id = try await replica.create("notes", ["title": .text("one")]).id
            #expect(try replica.recordID("notes", matching: String(id.uuidString.lowercased().prefix(6))) == id)
            #expect(try replica.recordID("notes", matching: id.uuidString) == id)
            #expect(throws: ClientError.self) { try replica.recordID("notes", matching: "zzzz") }
        }
    }

    @Test func assignmentsAreTypedByTheCollection() async throws {
        let fields = try FieldAssignments.parse(["title=Q3 dip = trade show", "pinned=yes", "body="], for: CollectionSchema.notes)
        #expect(fields == ["title": .text("Q3 dip = trade show"), "pinned": .bool(true), "body": .null])
        #expect(throws: ClientError.invalidInput("pinned must be true or false, not 'maybe'")) {
            try FieldAssignments.parse(["pinned=maybe"], for: CollectionSchema.notes)
        }
        #expect(throws: ClientError.self) { try FieldAssignments.parse(["colour=red"], for: CollectionSchema.notes) }
        #expect(throws: ClientError.self) { try FieldAssignments.parse(["title"], for: CollectionSchema.notes) }
    }

    @Test func organizationsAreNamedBySlugIdOrPrefix() async throws {
        let acme = KnownOrganization(id: UUID(), slug: "acme", name: "Acme", role: .editor)
        let globex = KnownOrganization(id: UUID(), slug: "globex", name: "Globex", role: .owner)
        let config = ClientConfig(defaultOrganization: globex.id, organizations: [acme, globex])
        #expect(try config.organization(nil) == globex)
        #expect(try config.organization("ACME") == acme)
        #expect(try config.organization(acme.id.uuidString) == acme)
        #expect(throws: ClientError.self) { try config.organization("initech") }
        #expect(throws: ClientError.self) { try ClientConfig(organizations: [acme]).organization(nil) }
    }
}
