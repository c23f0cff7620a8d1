import AccordClient
import AccordCore
import AccordServer
import Foundation
import PostgresNIO
import Testing

/// The server remembers tokens, memberships and heads between requests; none of that may outlive the change
/// that ends it, wherever the change was made.
@Suite("Server caches", .timeLimit(.minutes(5)))
struct ServerCacheTests {
    /// Polls `condition` until it holds; well under the caches' own expiry, so only a notification can make it hold.
    func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// Asks until the instance answers from its cache: a request made before its listener connected is not remembered.
    func warm(_ live: LiveServer, _ path: String, token: String) async throws {
        for _ in 0..<3 { #expect(try await live.status("GET", path, token: token) == 200) }
    }

    @Test func aRevokedTokenIsRefusedAtOnceHereAndSoonOnAnotherInstance() async throws {
        try await LiveServer.with { first in
            try await first.withSecondInstance { second in
                let (token, _) = try await first.acme(owner: "dana@example.com")
                try await warm(first, "v1/orgs/acme", token: token)
                try await warm(second, "v1/orgs/acme", token: token)

                #expect(try await first.status("POST", "v1/auth/logout", token: token) == 204)
                #expect(try await first.status("GET", "v1/orgs/acme", token: token) == 401, "the instance that revoked forgets at once")
                #expect(try await eventually { try await second.status("GET", "v1/orgs/acme", token: token) == 401 }, "the other instance was told")
            }
        }
    }

    @Test func aRemovedMemberLosesAccessAtOnceHereAndSoonOnAnotherInstance() async throws {
        try await LiveServer.with { first in
            try await first.withSecondInstance { second in
                let (owner, _) = try await first.acme(owner: "dana@example.com")
                let (member, user) = try await first.signup("eli@example.com")
                try await first.addMember("eli@example.com", role: .editor, to: "acme", token: owner)
                try await warm(first, "v1/orgs/acme/sync/pull", token: member)
                try await warm(second, "v1/orgs/acme/sync/pull", token: member)

                try await first.removeMember(user.id, from: "acme", token: owner)
                #expect(try await first.status("GET", "v1/orgs/acme/sync/pull", token: member) == 404)
                #expect(try await eventually { try await second.status("GET", "v1/orgs/acme/sync/pull", token: member) == 404 })
            }
        }
    }

    @Test func accessTakenAwayOutsideTheServerReachesItsCache() async throws {
        try await LiveServer.with { live in
            let (owner, org) = try await live.acme(owner: "dana@example.com")
            let (member, user) = try await live.signup("eli@example.com")
            try await live.addMember("eli@example.com", role: .viewer, to: "acme", token: owner)
            try await warm(live, "v1/orgs/acme", token: member)
            try await warm(live, "v1/orgs/acme", token: owner)

            // As the admin command or an operator in psql would.
            try await TestDatabase.withConnection(to: live.database.owner) { connection in
                try await connection.query("DELETE FROM memberships WHERE org_id = \(org.id) AND user_id = \(user.id)", logger: testLogger)
                try await connection.query("UPDATE tokens SET revoked_at = now() WHERE user_id = (SELECT created_by FROM organizations WHERE id = \(org.id))", logger: testLogger)
            }
            #expect(try await eventually { try await live.status("GET", "v1/orgs/acme", token: member) == 404 })
            #expect(try await eventually { try await live.status("GET", "v1/orgs/acme", token: owner) == 401 })
        }
    }

    @Test func aReplicaAtTheHeadSeesWritesMadeHereAtOnceAndThroughAnotherInstanceSoon() async throws {
        try await LiveServer.with { first in
            try await first.withSecondInstance { second in
                let (token, org) = try await first.acme(owner: "dana@example.com")
                let reader = try TestReplica(second, token: token, org: org.id)
                let local = try TestReplica(second, token: token, org: org.id)
                let remote = try TestReplica(first, token: token, org: org.id)
                defer { [reader, local, remote].forEach { $0.remove() } }
                for _ in 0..<3 { try await reader.sync() }

                try await local.replica.create("notes", ["title": .text("written here")])
                try await local.sync()
                #expect(try await reader.sync().pulled == 1, "a push on this instance is seen by the very next pull")

                try await remote.replica.create("notes", ["title": .text("written elsewhere")])
                try await remote.sync()
                var pulled = 0
                #expect(try await eventually {
                    pulled += try await reader.sync().pulled
                    return pulled == 1
                }, "the other instance's commit reached this one's cached head")
                #expect(try reader.notes().count == 2)
            }
        }
    }
}
