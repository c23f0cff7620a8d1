import AccordClient
import AccordCore
import AccordServer
import Foundation
import PostgresNIO
import Testing

@Suite("Requests bounded in the database", .timeLimit(.minutes(3)))
struct DatabaseTimeoutTests {
    @Test func aPushStuckBehindALockGivesUpAsBusyChangesNothingAndSucceedsLater() async throws {
        try await LiveServer.with(tune: { $0.databaseTimeouts = DatabaseTimeouts(lock: .milliseconds(200)) }, catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let replica = try TestReplica(live, token: token, org: org.id)
            defer { replica.remove() }
            try await replica.replica.create("notes", ["title": .text("written while the head was locked")])
            try await TestDatabase.withConnection(to: live.database.owner) { holder in
                try await holder.query("BEGIN", logger: testLogger)
                try await holder.query("SELECT last_seq FROM sync_heads WHERE org_id = \(org.id) FOR UPDATE", logger: testLogger)
                let pushed = try await live.answer("POST", "v1/orgs/acme/sync/push", token: token, json: """
                    {"clientID": "\(UUID().uuidString)", "mutations": []}
                    """)
                #expect(pushed.status == 503 && pushed.body.contains("\"busy\""), "\(pushed)")
                await #expect(throws: SyncError.self, "the replica treats it as a passing failure") { try await replica.sync() }
                try await holder.query("ROLLBACK", logger: testLogger)
            }
            #expect(try replica.replica.pendingCount() == 1, "the change waits in the outbox")
            let summary = try await replica.sync()
            #expect(summary.applied == 1 && summary.verified)
        }
    }
}
