import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A test client of the sync endpoints: its own client id, mutation counter and clock.
struct SyncTestClient {
    let server: TestServer
    let token: String
    let org: String
    let clientID = UUID()
    var nextMutation: Int64 = 1
    var clock: HybridLogicalClock
    var now: Int64 = 1_000_000

    init(server: TestServer, token: String, org: String) {
        self.server = server
        self.token = token
        self.org = org
        self.clock = HybridLogicalClock(node: clientID.uuidString.lowercased())
    }

    mutating func mutation(_ operation: MutationOperation, _ id: UUID, _ fields: RecordFields = [:], base: Int64, in collection: String = "notes") -> Mutation {
        now += 1
        defer { nextMutation += 1 }
        return Mutation(
            mutationID: nextMutation, collection: collection, recordID: id, operation: operation, fields: fields, baseSeq: base,
            timestamp: clock.tick(now: now)
        )
    }

    func push(_ mutations: [Mutation]) async throws -> TestResponse {
        try await server.send(.post, "/v1/orgs/\(org)/sync/push", token: token, json: PushRequest(clientID: clientID, mutations: mutations))
    }

    func pushed(_ mutations: [Mutation]) async throws -> [MutationResult] {
        let response = try await push(mutations)
        #expect(response.status == .ok, "push: \(String(buffer: response.body))")
        return try response.decode(PushResponse.self).results
    }

    func pull(since: Int64 = 0, limit: Int? = nil) async throws -> PullResponse {
        let response = try await server.send(.get, "/v1/orgs/\(org)/sync/pull?since=\(since)" + (limit.map { "&limit=\($0)" } ?? ""), token: token)
        #expect(response.status == .ok, "pull: \(String(buffer: response.body))")
        return try response.decode(PullResponse.self)
    }
}

extension TestServer {
    /// Signs Dana up as the owner of a new organization, acme, and returns her token.
    func acmeOwner() async throws -> String {
        let (token, _) = try await signup("dana@example.com")
        _ = try await createOrganization("Acme", slug: "acme", token: token)
        return token
    }
}

@Suite("Sync push and pull")
struct SyncPushPullTests {
    @Test func aPushedCreateIsLoggedPulledAndCheckedSummed() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let (token, user) = try await server.signup("dana@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: token)
            var client = SyncTestClient(server: server, token: token, org: "acme")
            let id = UUID()
            let results = try await client.pushed([client.mutation(.create, id, ["title": .text("Q3 dip"), "pinned": .bool(true)], base: 0)])
            #expect(results.map(\.outcome) == [.applied])
            #expect(results.first?.seq == 1)
            let pull = try await client.pull()
            #expect(pull.next == 1 && !pull.more)
            let change = try #require(pull.changes.first)
            #expect(change.recordID == id && change.operation == .create && change.actor == user.id && change.clientID == client.clientID)
            #expect(change.fields == ["title": .text("Q3 dip"), "pinned": .bool(true)])
            let expected = RecordDigest.digest(id: id, seq: 1, fields: change.fields, schema: CollectionSchema.notes)
            #expect(pull.checksums?["notes"] == CollectionChecksum(checksum: expected, rows: 1))
            #expect(pull.checksums?["conflicts"] == CollectionChecksum())
        }
    }

    @Test func aRetriedPushReturnsTheRecordedOutcomesAndAppliesNothingTwice() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var client = SyncTestClient(server: server, token: token, org: "acme")
            let id = UUID()
            let batch = [
                client.mutation(.create, id, ["title": .text("one")], base: 0),
                client.mutation(.update, id, ["title": .text(String(repeating: "x", count: 201))], base: 1),
                client.mutation(.update, id, ["pinned": .bool(true)], base: 1),
            ]
            let first = try await client.pushed(batch)
            #expect(first.map(\.outcome) == [.applied, .rejected, .applied])
            #expect(first[1].code == "invalid" && first[1].reason == "title must be at most 200 characters long")
            let again = try await client.pushed(batch + [client.mutation(.update, id, ["title": .text("two")], base: 2)])
            #expect(Array(again.prefix(3)) == first)
            #expect(again.last?.outcome == .applied)
            let pull = try await client.pull()
            #expect(pull.changes.map(\.seq) == [1, 2, 3], "the replayed batch made no new changes")

            let gap = try await client.push([Mutation(mutationID: 9, collection: "notes", recordID: id, operation: .delete, baseSeq: 3, timestamp: HLCTimestamp(millis: 9, node: "a"))])
            #expect(gap.status == .conflict)
            #expect(try gap.error.code == "mutation_gap")
            #expect(try gap.error.details["expected"] == "5")
            #expect(try gap.error.details["from"] == "9")

            var zero = client.mutation(.update, id, ["pinned": .bool(false)], base: 3)
            zero.mutationID = 0
            let refused = try await client.push([zero])
            #expect(refused.status == .unprocessableContent, "id 0 was never a mutation: it is not answered as an applied one")
            let again5 = client.mutation(.update, id, ["pinned": .bool(false)], base: 3)
            let disorder = try await client.push([again5, again5])
            #expect(disorder.status == .conflict)
            #expect(try disorder.error.code == "mutation_order")
        }
    }

    @Test func aDifferentMutationUnderAnIdAlreadyUsedIsRefusedNotAnsweredWithTheOldOutcome() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var client = SyncTestClient(server: server, token: token, org: "acme")
            let first = client.mutation(.create, UUID(), ["title": .text("before the backup")], base: 0)
            let second = client.mutation(.create, UUID(), ["title": .text("after the backup")], base: 0)
            #expect(try await client.pushed([first, second]).map(\.outcome) == [.applied, .applied])

            var restored = second
            restored.fields = ["title": .text("written after the restore")]
            let reused = try await client.push([first, restored])
            #expect(reused.status == .conflict)
            #expect(try reused.error.code == "mutation_reused")
            #expect(try reused.error.details["expected"] == "3" && reused.error.details["from"] == "2")
            #expect(try await client.pull().changes.count == 2, "nothing of the refused batch was applied")
            #expect(try await client.pushed([first, second]).map(\.outcome) == [.applied, .applied], "a true retry still gets its outcomes")
        }
    }

    @Test func concurrentEditsMergePerFieldPolicy() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var a = SyncTestClient(server: server, token: token, org: "acme")
            var b = SyncTestClient(server: server, token: token, org: "acme")
            let id = UUID()
            _ = try await a.pushed([a.mutation(.create, id, ["title": .text("t"), "body": .text("base body")], base: 0)])
            // Both edited at seq 1: b's edits are later on the clock.
            let mineA = [a.mutation(.update, id, ["body": .text("a's body"), "title": .text("a's title")], base: 1)]
            b.now = a.now + 100
            let mineB = [b.mutation(.update, id, ["body": .text("b's body"), "title": .text("b's title"), "pinned": .bool(true)], base: 1)]
            #expect(try await a.pushed(mineA).map(\.outcome) == [.applied])
            let resultB = try #require(try await b.pushed(mineB).first)
            #expect(resultB.outcome == .conflict)
            #expect(resultB.conflictIDs.count == 1)

            let pull = try await b.pull()
            let conflict = try #require(pull.changes.first { $0.collection == "conflicts" })
            #expect(conflict.recordID == resultB.conflictIDs.first)
            #expect(conflict.fields["field"] == .text("body"))
            #expect(conflict.fields["base_value"] == .text("\"base body\""))
            #expect(conflict.fields["server_value"] == .text("\"a's body\""))
            #expect(conflict.fields["client_value"] == .text("\"b's body\""))
            #expect(conflict.fields["status"] == .text("open"))
            let bChange = try #require(pull.changes.first { $0.mutationID == 1 && $0.clientID == b.clientID })
            #expect(bChange.fields == ["title": .text("b's title"), "pinned": .bool(true)], "lww: b's later title wins; pinned merges")
            #expect(bChange.previous["title"] == .text("a's title"), "the replaced value stays in the log")

            // What a conflict is about, and who resolved it, only the server writes.
            let forged = try await b.pushed([
                b.mutation(.update, conflict.recordID, ["server_value": .text("\"b's body\"")], base: conflict.seq, in: "conflicts"),
                b.mutation(.update, conflict.recordID, ["status": .text("resolved"), "resolved_by": .text(UUID().lowercasedText)], base: conflict.seq, in: "conflicts"),
            ])
            #expect(forged.map(\.outcome) == [.rejected, .rejected])
            #expect(forged.allSatisfy { $0.reason?.contains("is set by the server and cannot be changed") == true }, "\(forged)")

            // Resolving is a normal mutation of the record and of the conflict.
            let resolved = try await b.pushed([
                b.mutation(.update, id, ["body": .text("agreed body")], base: bChange.seq),
                b.mutation(.update, conflict.recordID, ["status": .text("resolved"), "resolution": .text("value")], base: conflict.seq, in: "conflicts"),
            ])
            #expect(resolved.map(\.outcome) == [.applied, .applied])
            let settled = try #require(try await b.pull(since: conflict.seq).changes.last { $0.collection == "conflicts" })
            let dana = try await server.send(.get, "/v1/me", token: token).decode(MeResponse.self).user.id
            #expect(settled.fields["resolved_by"] == .text(dana.lowercasedText), "the server records who resolved it")
        }
    }

    @Test func anEarlierLwwEditLosesButStaysInTheLog() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var a = SyncTestClient(server: server, token: token, org: "acme")
            var b = SyncTestClient(server: server, token: token, org: "acme")
            let id = UUID()
            _ = try await a.pushed([a.mutation(.create, id, ["title": .text("t")], base: 0)])
            let early = b.mutation(.update, id, ["title": .text("early")], base: 1)
            a.now = b.now + 50
            _ = try await a.pushed([a.mutation(.update, id, ["title": .text("late")], base: 1)])
            let result = try #require(try await b.pushed([early]).first)
            #expect(result.outcome == .merged)
            let change = try #require(try await b.pull(since: 2).changes.first)
            #expect(change.fields.isEmpty && change.overridden == ["title": .text("early")])
        }
    }

    @Test func successiveOfflineEditsOfOneClientNeverConflictWithEachOther() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var a = SyncTestClient(server: server, token: token, org: "acme")
            let kept = UUID(), dropped = UUID()
            // Everything made offline: the edits' base is the seq each record had locally, which is none.
            let results = try await a.pushed([
                a.mutation(.create, kept, ["title": .text("draft"), "body": .text("first")], base: 0),
                a.mutation(.update, kept, ["body": .text("second")], base: 0),
                a.mutation(.update, kept, ["body": .text("third"), "title": .text("final")], base: 0),
                a.mutation(.create, dropped, ["title": .text("scratch"), "body": .text("x")], base: 0),
                a.mutation(.delete, dropped, base: 0),
            ])
            #expect(results.map(\.outcome) == [.applied, .applied, .applied, .applied, .applied])
            #expect(results.allSatisfy { $0.conflictIDs.isEmpty })
            let changes = try await a.pull().changes
            #expect(!changes.contains { $0.collection == "conflicts" })
            #expect(changes.last?.recordID == dropped && changes.last?.operation == .delete)
        }
    }

    @Test func aCreateOfAnExistingIdIsLoggedAsTheUpdateItWas() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var a = SyncTestClient(server: server, token: token, org: "acme")
            var b = SyncTestClient(server: server, token: token, org: "acme")
            let id = UUID()
            _ = try await a.pushed([a.mutation(.create, id, ["title": .text("t"), "body": .text("kept")], base: 0)])
            b.now = a.now + 10
            let result = try #require(try await b.pushed([b.mutation(.create, id, ["title": .text("t"), "pinned": .bool(true)], base: 0)]).first)
            #expect(result.outcome == .applied)
            let change = try #require(try await b.pull(since: 1).changes.first)
            #expect(change.operation == .update, "a replica applying a create would drop the body")
            #expect(change.fields == ["pinned": .bool(true)])
        }
    }

    @Test func aStampNamingAnotherClientOrFarInTheFutureIsRefused() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var a = SyncTestClient(server: server, token: token, org: "acme")
            var borrowed = a.mutation(.create, UUID(), ["title": .text("t")], base: 0)
            borrowed.timestamp.node = UUID().uuidString.lowercased()
            var ahead = a.mutation(.create, UUID(), ["title": .text("t")], base: 0)
            ahead.timestamp = HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000) + 2 * HybridLogicalClock.maxLeadMillis, node: ahead.timestamp.node)
            let results = try await a.pushed([borrowed, ahead, a.mutation(.create, UUID(), ["title": .text("t")], base: 0)])
            #expect(results.map(\.outcome) == [.rejected, .rejected, .applied])
            #expect(results[0].code == "invalid_timestamp" && results[0].reason?.contains("its own client id") == true)
            #expect(results[1].code == "invalid_timestamp" && results[1].reason?.contains("more than a day ahead") == true)
        }
    }

    @Test func rejectionsCarryACodeAndAReasonAndTheQueueMovesOn() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let (owner, _) = try await server.signup("owner@example.com")
            let (viewer, _) = try await server.signup("viewer@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            _ = try await server.addMember(AddMemberRequest(email: "viewer@example.com", role: .viewer), to: "acme", token: owner)
            var client = SyncTestClient(server: server, token: viewer, org: "acme")
            let results = try await client.pushed([
                client.mutation(.create, UUID(), ["title": .text("hi")], base: 0),
                client.mutation(.create, UUID(), ["title": .text("hi")], base: 0, in: "kpis"),
            ])
            #expect(results.map(\.outcome) == [.rejected, .rejected])
            #expect(results.map(\.code) == ["forbidden", "forbidden"], "a viewer's push is refused whole, before anything else is judged")
            #expect(results[0].reason?.contains("viewer") == true)

            var ownerClient = SyncTestClient(server: server, token: owner, org: "acme")
            let refused = try await ownerClient.pushed([
                ownerClient.mutation(.create, UUID(), ["status": .text("open")], base: 0, in: "conflicts"),
                ownerClient.mutation(.create, UUID(), ["title": .text("hi")], base: 0, in: "kpis"),
                ownerClient.mutation(.create, UUID(), ["title": .text("hi")], base: 0),
            ])
            #expect(refused.map(\.code) == ["server_managed", "unknown_collection", nil], "the queue moves on past refusals")
        }
    }

    @Test func aClientIDBelongsToTheUserWhoFirstPushedUnderIt() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let (owner, _) = try await server.signup("owner@example.com")
            let (editor, _) = try await server.signup("editor@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            _ = try await server.addMember(AddMemberRequest(email: "editor@example.com", role: .editor), to: "acme", token: owner)
            var mine = SyncTestClient(server: server, token: owner, org: "acme")
            _ = try await mine.pushed([mine.mutation(.create, UUID(), ["title": .text("hi")], base: 0)])
            let impostor = try await server.send(
                .post, "/v1/orgs/acme/sync/push", token: editor,
                json: PushRequest(clientID: mine.clientID, mutations: [mine.mutation(.create, UUID(), ["title": .text("x")], base: 0)])
            )
            #expect(impostor.status == .forbidden)
        }
    }

    @Test func aCursorBehindTheHorizonOrFromAnotherEpochMustResync() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let (token, _) = try await server.signup("dana@example.com")
            let org = try await server.createOrganization("Acme", slug: "acme", token: token)
            var client = SyncTestClient(server: server, token: token, org: "acme")
            for _ in 0..<3 { _ = try await client.pushed([client.mutation(.create, UUID(), ["title": .text("n")], base: 0)]) }
            let pruned = try await server.server.pruneChanges(org: org.slug, through: 2)
            #expect(pruned == 2)
            let behind = try await server.send(.get, "/v1/orgs/acme/sync/pull?since=1", token: token)
            #expect(behind.status == .gone)
            #expect(try behind.error.code == "resync_required")
            #expect(try await client.pull(since: 2).changes.map(\.seq) == [3])
            let otherEpoch = try await server.send(.get, "/v1/orgs/acme/sync/pull?since=2&epoch=\(UUID())", token: token)
            #expect(try otherEpoch.error.code == "resync_required")
            let ahead = try await server.send(.get, "/v1/orgs/acme/sync/pull?since=99", token: token)
            #expect(try ahead.error.code == "resync_required")
        }
    }

    @Test func pullsPageInOrder() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var client = SyncTestClient(server: server, token: token, org: "acme")
            var batch: [Mutation] = []
            for index in 0..<7 { batch.append(client.mutation(.create, UUID(), ["title": .text("n\(index)")], base: 0)) }
            _ = try await client.pushed(batch)
            var cursor: Int64 = 0
            var seen: [Int64] = []
            var pages = 0
            while true {
                let page = try await client.pull(since: cursor, limit: 3)
                seen += page.changes.map(\.seq)
                cursor = page.next
                pages += 1
                #expect((page.checksums == nil) == page.more, "checksums come with the last page")
                if !page.more { break }
            }
            #expect(seen == Array(1...7))
            #expect(pages == 3)
        }
    }

    @Test func aClientSpeakingAnotherProtocolIsToldWhatTheServerSpeaks() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            let response = try await server.client.execute(
                uri: "/v1/orgs/acme/sync/pull", method: .get,
                headers: [.authorization: "Bearer \(token)", HTTPField.Name(SyncProtocol.versionHeader)!: "99"]
            )
            #expect(response.status == .badRequest)
            #expect(try response.error.code == "protocol_unsupported")
            #expect(try response.error.message.contains("speaks sync protocol 1"))
        }
    }
}

@Suite("Sync snapshot")
struct SyncSnapshotTests {
    /// Text that JSON must escape, or that is more than one byte a character.
    static let awkwardText = "line one\nline two\t\"quoted\" back\\slash / \u{1} ünïcødé 😀"

    @Test func aSnapshotStreamsEveryLiveRecordWithTheChecksumsOfItsSeq() async throws {
        try await TestServer.with(catalog: .withoutDirectory) { server in
            let token = try await server.acmeOwner()
            var client = SyncTestClient(server: server, token: token, org: "acme")
            let kept = UUID()
            let deleted = UUID()
            _ = try await client.pushed([
                client.mutation(.create, kept, ["title": .text("kept 'as is'"), "body": .text(Self.awkwardText), "pinned": .bool(true)], base: 0),
                client.mutation(.create, deleted, ["title": .text("gone")], base: 0),
                client.mutation(.delete, deleted, base: 2),
            ])
            let response = try await server.send(.get, "/v1/orgs/acme/sync/snapshot", token: token)
            #expect(response.headers[.contentType] == "application/x-ndjson")
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let lines = try String(buffer: response.body).split(separator: "\n").map { try decoder.decode(SnapshotLine.self, from: Data($0.utf8)) }
            guard case .header(let header) = lines.first, case .end(let end) = lines.last else {
                Issue.record("a snapshot starts with its header and ends with its checksums")
                return
            }
            #expect(header.seq == 3 && header.rows == 1)
            let records = lines.compactMap { if case .record(let record) = $0 { record } else { nil } }
            #expect(records.map(\.id) == [kept])
            #expect(records.first?.fields == ["subject": .null, "title": .text("kept 'as is'"), "body": .text(Self.awkwardText), "pinned": .bool(true)])
            // The replica's own reader takes each line exactly as a JSON decoder does.
            let parsed = try String(buffer: response.body).split(separator: "\n").map { line in
                try Array(line.utf8).withUnsafeBytes { try SnapshotLine.parse($0, decoder: decoder) }
            }
            #expect(parsed.compactMap { if case .record(let record) = $0 { record } else { nil } } == records)
            let digest = try #require(records.first.map { RecordDigest.digest(id: $0.id, seq: $0.seq, fields: $0.fields, schema: CollectionSchema.notes) })
            #expect(end.checksums["notes"] == CollectionChecksum(checksum: digest, rows: 1))
            #expect(try await client.pull().checksums == end.checksums)
        }
    }
}
