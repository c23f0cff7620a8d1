import AccordClient
import AccordCore
import AccordServer
import Foundation
import PostgresNIO
import Testing

/// Mutation ids are how the server knows what a replica already sent. These tests break the numbering the
/// two ways it breaks in the field (a push the server refuses without counting, a replica that goes back in
/// time) and check that no edit is lost or taken for another.
@Suite("Mutation ids stay in step", .timeLimit(.minutes(3)))
struct MutationContinuityTests {
    @Test func aViewersPushWritesNothingTakesNoLockAndTheirNextEditsFollowOnOncePromoted() async throws {
        try await LiveServer.with(tune: { $0.databaseTimeouts = DatabaseTimeouts(lock: .milliseconds(200)) }, catalog: .withoutDirectory) { live in
            let (owner, viewerUser, org, viewer) = try await ReplicaSyncTests.viewerReplica(live)
            defer { viewer.remove() }
            try await viewer.replica.create("notes", ["title": .text("a viewer's note")])
            try await viewer.replica.create("notes", ["title": .text("and another")])
            let refused = try await TestDatabase.withConnection(to: live.database.owner) { holder in
                // Held for the whole push: a push that wanted the head lock would give up as busy.
                try await holder.query("BEGIN", logger: testLogger)
                try await holder.query("SELECT last_seq FROM sync_heads WHERE org_id = \(org.id) FOR UPDATE", logger: testLogger)
                let summary = try await viewer.sync()
                try await holder.query("ROLLBACK", logger: testLogger)
                return summary
            }
            #expect(refused.rejected == 2 && refused.applied == 0)
            #expect(try viewer.replica.rejections().map(\.code) == ["forbidden", "forbidden"])
            let written = try await TestDatabase.withConnection(to: live.database.owner) { connection in
                try await connection.query(
                    "SELECT (SELECT count(*) FROM sync_clients WHERE user_id = \(viewerUser.id))::int + (SELECT count(*) FROM mutation_outcomes)::int",
                    logger: testLogger
                ).collect().first?.decode(Int.self)
            }
            #expect(written == 0, "no client registered and no outcome stored")

            try await live.setRole(.editor, of: viewerUser.id, in: "acme", token: owner)
            let later = try await viewer.replica.create("notes", ["title": .text("written as an editor")]).id
            let promoted = try await viewer.sync()
            #expect(promoted.applied == 1 && promoted.renumbered, "the server counts from 1; the replica had used 1 and 2")
            #expect(try viewer.replica.record("notes", later)?["title"] == .text("written as an editor"))
            let oldest = try #require(try viewer.replica.rejections().first)
            try viewer.replica.retryRejection(oldest.id)
            let retried = try await viewer.sync()
            #expect(retried.applied == 1 && !retried.renumbered)
            #expect(try viewer.replica.rejections().count == 1, "the other rejection is still there to review")
            #expect(try viewer.notes().count == 2 && retried.verified)
        }
    }

    @Test func aReplicaRestoredFromABackupRenumbersItsNewEditsAndLosesNone() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-restored-\(UUID()).sqlite")
            let backup = file.deletingPathExtension().appendingPathExtension("backup")
            defer { try? Replica.remove(at: file); try? Replica.remove(at: backup) }
            func open() throws -> TestReplica { try TestReplica(live, token: token, org: org.id, file: file, catalog: .withoutDirectory) }

            var replica = try open()
            try await replica.sync()
            try replica.replica.close()
            try Self.copyReplica(file, to: backup)

            replica = try open()
            let beforeRestore = try await replica.replica.create("notes", ["title": .text("pushed, then lost to the restore")]).id
            #expect(try await replica.sync().applied == 1)
            try replica.replica.close()
            try Replica.remove(at: file)
            try Self.copyReplica(backup, to: file)

            replica = try open()
            let afterRestore = try await replica.replica.create("notes", ["title": .text("written on the restored replica")]).id
            #expect(try replica.replica.pending().map(\.mutationID) == [1], "the restored replica hands out id 1 again")
            let summary = try await replica.sync()
            #expect(summary.applied == 1 && summary.renumbered && summary.verified, "\(summary)")
            #expect(Set(try replica.notes().keys) == [beforeRestore, afterRestore], "both edits are on the server and the replica")
            let other = try TestReplica(live, token: token, org: org.id, catalog: .withoutDirectory)
            defer { other.remove() }
            try await other.sync()
            #expect(try other.notes() == replica.notes())
            try replica.replica.close()
        }
    }

    /// Copies a replica with its write-ahead log, as a file backup would.
    static func copyReplica(_ source: URL, to destination: URL) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: source.path + suffix) {
            try FileManager.default.copyItem(atPath: source.path + suffix, toPath: destination.path + suffix)
        }
    }
}
