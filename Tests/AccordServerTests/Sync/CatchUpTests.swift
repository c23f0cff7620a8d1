import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("Catching up after time offline", .timeLimit(.minutes(5)))
struct CatchUpTests {
    @Test func aReplicaOfflineFor10000ChangesCatchesUpByPulling() async throws {
        try await LiveServer.with { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let writer = try TestReplica(live, token: token, org: org.id)
            let offline = try TestReplica(live, token: token, org: org.id)
            defer { writer.remove(); offline.remove() }
            try await offline.sync()
            for index in 0..<10_000 {
                try await writer.replica.create("notes", ["title": .text("note \(index)"), "pinned": .bool(index % 3 == 0)])
            }
            let pushed = try await writer.sync()
            #expect(pushed.applied == 10_000)

            let caughtUp = try await offline.sync()
            #expect(caughtUp.pulled == 10_000 && caughtUp.snapshotRecords == 0, "pulled in pages, no snapshot")
            #expect(caughtUp.verified)
            #expect(try offline.notes() == writer.notes())
        }
    }

    @Test func aReplicaBehindTheRetentionHorizonResyncsBySnapshotAndKeepsItsPendingWrites() async throws {
        try await LiveServer.with { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let writer = try TestReplica(live, token: token, org: org.id)
            let offline = try TestReplica(live, token: token, org: org.id)
            defer { writer.remove(); offline.remove() }
            let shared = try await writer.replica.create("notes", ["title": .text("shared"), "body": .text("v1")]).id
            try await writer.sync()
            try await offline.sync()

            // Offline: a new note and an edit. Meanwhile the server moves on and prunes its log.
            let local = try await offline.replica.create("notes", ["title": .text("written offline")]).id
            try await offline.replica.update("notes", shared, ["pinned": .bool(true)])
            var removed: [UUID] = []
            for index in 0..<20 {
                let id = try await writer.replica.create("notes", ["title": .text("server \(index)")]).id
                if index % 4 == 0 { removed.append(id) }
            }
            try await writer.replica.update("notes", shared, ["title": .text("renamed on the server")])
            try await writer.sync()
            for id in removed { try await writer.replica.delete("notes", id) }
            try await writer.sync()
            let head = try writer.replica.status().cursor
            #expect(try await live.server.pruneChanges(org: "acme", through: head) > 0)

            let resynced = try await offline.sync()
            #expect(resynced.snapshotRecords > 0, "behind the horizon, the replica took a snapshot")
            #expect(resynced.applied == 2, "its pending writes were pushed, not lost")
            try await writer.sync()
            let note = try #require(try offline.replica.record("notes", shared))
            #expect(note["title"] == .text("renamed on the server") && note["pinned"] == .bool(true))
            #expect(try offline.replica.record("notes", local)?["title"] == .text("written offline"))
            for id in removed { #expect(try offline.replica.record("notes", id) == nil) }
            #expect(try offline.notes() == writer.notes())
        }
    }
}
