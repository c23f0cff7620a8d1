import AccordClient
import AccordCore
import AccordServer
import Foundation
import GRDB
import Testing

@Suite("A declaration that grows", .timeLimit(.minutes(5)))
struct SchemaEvolutionTests {
    static let version1 = CollectionSchema(name: "experiments", fields: [FieldSchema("name", .text, .lww, required: true), FieldSchema("points", .integer, .lww)])
    static var version2: CollectionSchema {
        var schema = version1
        schema.fields.append(FieldSchema("stop_on", .timestamp, .lww, added: true))
        return schema
    }

    @Test func aFieldAddedToADeclarationSyncsBothWaysWithTheChecksumsIntact() async throws {
        let (catalog1, catalog2) = (try Catalog.withoutDirectory.adding(Self.version1), try Catalog.withoutDirectory.adding(Self.version2))
        try await TestDatabase.with { database in
            let live = LiveServer(database: database)
            try await live.start(catalog: catalog1)
            do {
                try await evolve(live, catalog1, catalog2)
            } catch {
                await live.stop()
                throw error
            }
        }
    }

    private func evolve(_ live: LiveServer, _ catalog1: Catalog, _ catalog2: Catalog) async throws {
        let (token, _) = try await live.signup("dana@example.com")
        let org = try await live.createOrganization("acme", token: token)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-evolution-\(UUID()).sqlite")
        var a = try TestReplica(live, token: token, org: org.id, file: file, catalog: catalog1)
        let first = try await a.replica.create("experiments", ["name": .text("EMEA webinars"), "points": .int(5)]).id
        let second = try await a.replica.create("experiments", ["name": .text("Partner events"), "points": .int(3)]).id
        #expect(try await a.sync().verified)
        try a.replica.close()

        // Both sides restart on version 2.
        await live.stop()
        try await live.start(catalog: catalog2)
        a = try TestReplica(live, token: token, org: org.id, file: file, catalog: catalog2)
        let b = try TestReplica(live, token: token, org: org.id, catalog: catalog2)
        defer { a.remove(); b.remove() }
        let columns = try await a.replica.database.read { db in try db.columns(in: "experiments").map(\.name) }
        #expect(columns.contains("stop_on"), "the replica's table has the new column: \(columns)")
        #expect(try a.replica.record("experiments", first)?["stop_on"] == .null, "a record that existed reads null")
        #expect(try await a.sync().verified, "the checksums still agree without a resync")
        #expect(try await b.sync().snapshotRecords == 2)

        try await a.replica.update("experiments", first, ["stop_on": .text("2027-03-31T00:00:00.000Z")])
        try await b.replica.update("experiments", second, ["stop_on": .text("2027-06-30T00:00:00.000Z"), "points": .int(8)])
        #expect(try await a.sync().verified)
        #expect(try await b.sync().verified)
        #expect(try await a.sync().verified)
        for replica in [a.replica, b.replica] {
            #expect(try replica.record("experiments", first)?["stop_on"] == .text("2027-03-31T00:00:00.000Z"))
            #expect(try replica.record("experiments", second)?["stop_on"] == .text("2027-06-30T00:00:00.000Z"))
            #expect(try replica.record("experiments", second)?["points"] == .int(8))
        }
        #expect(try await a.replica.compare(with: HTTPSyncTransport(server: live.url, token: token, organization: org.id, catalog: catalog2)) == .equal)

        // A replica of a client built before the field is told to update, and keeps its queued edit for then.
        let old = try TestReplica(live, token: token, org: org.id, catalog: catalog1)
        defer { old.remove() }
        try await old.replica.create("notes", ["title": .text("written on the old client")])
        await #expect { try await old.sync() } throws: { error in
            "\(error)".contains("experiments (stop_on)") && "\(error)".contains("Update the client")
        }
        #expect(try old.replica.pendingCount() == 1)

        // Going back to a declaration without the field is refused at start, and says what to do.
        await live.stop()
        await #expect { try await live.start(catalog: catalog1) } throws: { error in
            "\(error)".contains("column 'stop_on' that the declaration no longer has") && "\(error)".contains("add a new field instead")
        }
    }
}
