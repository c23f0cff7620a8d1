import AccordClient
import AccordCore
import AccordServer
import Foundation
import Synchronization
import Testing

/// A replica in a temporary directory with a sync engine that talks to a live server.
struct TestReplica {
    let replica: Replica
    var engine: SyncEngine

    init(
        _ live: LiveServer, token: String, org: UUID, file: URL? = nil, transport: (any SyncTransport)? = nil, catalog: Catalog = .builtIn,
        actor: RuleActor? = nil
    ) throws {
        let url = file ?? FileManager.default.temporaryDirectory.appendingPathComponent("accord-replica-\(UUID()).sqlite")
        replica = try Replica(at: url, organization: org, catalog: catalog, actor: actor)
        engine = SyncEngine(replica: replica, transport: transport ?? HTTPSyncTransport(server: live.url, token: token, organization: org, catalog: catalog))
        engine.backoff = Backoff(initial: .milliseconds(5), maximum: .milliseconds(50), attempts: 6)
    }

    @discardableResult
    func sync() async throws -> SyncSummary { try await engine.sync() }

    func notes() throws -> [UUID: RecordFields] {
        Dictionary(uniqueKeysWithValues: try replica.records("notes").map { ($0.id, $0.fields) })
    }

    func remove() {
        try? replica.close()
        try? Replica.remove(at: replica.url)
    }
}

@Suite("Replica sync against a live server", .timeLimit(.minutes(5)))
struct ReplicaSyncTests {
    @Test func offlineEditsOnTwoReplicasMergeConflictAndResolve() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, user) = try await live.signup("dana@example.com")
            let org = try await live.createOrganization("acme", token: token)
            let a = try TestReplica(live, token: token, org: org.id)
            let b = try TestReplica(live, token: token, org: org.id)
            defer { a.remove(); b.remove() }

            let id = try await a.replica.create("notes", ["title": .text("Q3 dip"), "body": .text("trade show cancelled")]).id
            #expect(try a.replica.pendingCount() == 1)
            let first = try await a.sync()
            #expect(first.pushed == 1 && first.applied == 1 && first.verified)
            #expect(try a.replica.pendingCount() == 0)
            let fresh = try await b.sync()
            #expect(fresh.snapshotRecords == 1, "a new replica starts from a snapshot")
            #expect(try b.notes() == a.notes())
            for side in [a, b] {
                let metadata = try #require(try side.replica.metadata("notes", id))
                #expect(metadata.seq == 1 && metadata.createdBy == user.id && metadata.updatedBy == user.id && metadata.updatedAt != nil, "\(metadata)")
            }

            // Both edit offline: the same review field, the same lww field, and different fields.
            try await a.replica.update("notes", id, ["body": .text("a: the show moved to Q4"), "title": .text("a title")])
            try await Task.sleep(for: .milliseconds(5))
            try await b.replica.update("notes", id, ["body": .text("b: budget cut"), "title": .text("b title"), "pinned": .bool(true)])
            #expect(try b.replica.record("notes", id)?["body"] == .text("b: budget cut"), "local edits show at once")
            let fromA = try await a.sync()
            #expect(fromA.applied == 1)
            let fromB = try await b.sync()
            #expect(fromB.conflicts == 1 && fromB.needsAttention)
            try await a.sync()

            for side in [a, b] {
                let note = try #require(try side.replica.record("notes", id))
                #expect(note["title"] == .text("b title"), "lww: the later edit wins")
                #expect(note["pinned"] == .bool(true), "different fields merge")
                #expect(note["body"] == .text("a: the show moved to Q4"), "review: the server keeps its value")
                let conflict = try #require(try side.replica.conflicts().first)
                #expect(conflict.kind == .field && conflict.field == "body")
                #expect(conflict.base == "\"trade show cancelled\"")
                #expect(conflict.theirs == "\"a: the show moved to Q4\"")
                #expect(conflict.mine == "\"b: budget cut\"")
            }
            let conflict = try #require(try b.replica.conflicts().first)
            try b.replica.resolve(conflict.id, with: .mine)
            try await b.sync()
            try await a.sync()
            for side in [a, b] {
                #expect(try side.replica.record("notes", id)?["body"] == .text("b: budget cut"))
                #expect(try side.replica.conflicts().isEmpty)
                #expect(try side.replica.conflicts(includeResolved: true).first?.resolution == "mine")
                #expect(try side.replica.record("conflicts", conflict.id)?["resolved_by"] == .text(user.id.lowercasedText))
            }
            #expect(try a.notes() == b.notes())
        }
    }

    @Test func aRejectedChangeWaitsInTheInboxAndCanBeRetriedOrDiscarded() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (owner, viewerUser, _, viewer) = try await Self.viewerReplica(live)
            defer { viewer.remove() }
            let id = try await viewer.replica.create("notes", ["title": .text("mine")]).id
            let summary = try await viewer.sync()
            #expect(summary.rejected == 1)
            let rejection = try #require(try viewer.replica.rejections().first)
            #expect(rejection.code == "forbidden" && rejection.recordID == id)
            #expect(try viewer.replica.record("notes", id) == nil, "the refused create is no longer shown as if it were stored")
            try await live.setRole(.editor, of: viewerUser.id, in: "acme", token: owner)
            try viewer.replica.retryRejection(rejection.id, edits: ["title": .text("mine, again")])
            let retried = try await viewer.sync()
            #expect(retried.applied == 1 && retried.rejected == 0)
            #expect(try viewer.replica.record("notes", id)?["title"] == .text("mine, again"))
            #expect(try viewer.replica.rejections().isEmpty)
        }
    }

    @Test func aReplicaHoldingOnlyARejectionToReviewIsSetAsideNotDeleted() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (owner, viewerUser, org, viewer) = try await Self.viewerReplica(live)
            defer { viewer.remove() }
            try await viewer.replica.create("notes", ["title": .text("written at the booth")])
            #expect(try await viewer.sync().rejected == 1)
            #expect(try viewer.replica.pendingCount() == 0)
            try await live.removeMember(viewerUser.id, from: "acme", token: owner)
            await #expect { try await viewer.sync() } throws: { error in
                guard case ClientError.accessLost(_, let kept?) = error else { return false }
                defer { try? Replica.remove(at: URL(fileURLWithPath: kept.file)) }
                let aside = try? Replica(at: URL(fileURLWithPath: kept.file), organization: org.id)
                defer { try? aside?.close() }
                return kept.pending == 0 && kept.rejected == 1 && (try? aside?.rejections().count) == 1
                    && "\(error)".contains("its rejected change to review was kept in")
            }
            #expect(!FileManager.default.fileExists(atPath: viewer.replica.url.path))
        }
    }

    @Test func aReplicaReopenedAfterACrashStillHoldsItsOutbox() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-crash-\(UUID()).sqlite")
            let before = try TestReplica(live, token: token, org: org.id, file: file)
            let id = try await before.replica.create("notes", ["title": .text("written before the crash")]).id
            try before.replica.close()
            let after = try TestReplica(live, token: token, org: org.id, file: file)
            defer { after.remove() }
            #expect(after.replica.clientID == before.replica.clientID)
            #expect(try after.replica.pendingCount() == 1)
            #expect(try await after.sync().applied == 1)
            #expect(try after.replica.record("notes", id)?["title"] == .text("written before the crash"))
        }
    }

    /// A viewer's replica of acme, with the owner's token to change the viewer's role.
    static func viewerReplica(_ live: LiveServer) async throws -> (owner: String, viewer: UserSummary, org: Organization, replica: TestReplica) {
        let (owner, _) = try await live.signup("owner@example.com")
        let (viewerToken, viewerUser) = try await live.signup("viewer@example.com")
        let org = try await live.createOrganization("acme", token: owner)
        try await live.addMember("viewer@example.com", role: .viewer, to: "acme", token: owner)
        return (owner, viewerUser, org, try TestReplica(live, token: viewerToken, org: org.id))
    }

    /// An editor's replica of acme, synced, and a way for the owner to remove that editor.
    static func syncedMemberReplica(_ live: LiveServer) async throws -> (TestReplica, Organization, @Sendable () async throws -> Void) {
        let (owner, _) = try await live.signup("owner@example.com")
        let (memberToken, member) = try await live.signup("member@example.com")
        let org = try await live.createOrganization("acme", token: owner)
        try await live.addMember("member@example.com", role: .editor, to: "acme", token: owner)
        let replica = try TestReplica(live, token: memberToken, org: org.id)
        try await replica.sync()
        return (replica, org, { try await live.removeMember(member.id, from: "acme", token: owner) })
    }

    @Test func aRemovedMemberLosesTheReplicaOnTheNextSync() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (replica, org, removeMember) = try await Self.syncedMemberReplica(live)
            try await removeMember()
            await #expect(throws: ClientError.accessLost(org.id.uuidString.lowercased())) { try await replica.sync() }
            #expect(!FileManager.default.fileExists(atPath: replica.replica.url.path))
        }
    }

    @Test func unsyncedWorkOfARemovedMemberIsSetAsideNotDeleted() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (replica, org, removeMember) = try await Self.syncedMemberReplica(live)
            let id = try await replica.replica.create("notes", ["title": .text("written on the plane")]).id
            try await removeMember()
            let error = await #expect(throws: ClientError.self) { try await replica.sync() }
            guard case .accessLost(_, let kept?) = error else {
                Issue.record("expected the unsynced change to be kept, got \(String(describing: error))")
                return
            }
            #expect(kept.pending == 1 && kept.rejected == 0)
            #expect(!FileManager.default.fileExists(atPath: replica.replica.url.path), "the next replica of acme starts fresh")
            let aside = try Replica(at: URL(fileURLWithPath: kept.file), organization: org.id)
            defer { try? aside.close(); try? Replica.remove(at: URL(fileURLWithPath: kept.file)) }
            #expect(try aside.pendingCount() == 1)
            #expect(try aside.record("notes", id)?["title"] == .text("written on the plane"))
        }
    }

    @Test func aBacklogLargerThanTheServersBodyLimitIsPushedInSmallerBatches() async throws {
        try await LiveServer.with(tune: { $0.maxBodySize = 64 << 10 }, catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "owner@example.com")
            let replica = try TestReplica(live, token: token, org: org.id)
            defer { replica.remove() }
            let body = String(repeating: "field notes from the trade show. ", count: 600)
            for index in 0..<20 { _ = try await replica.replica.create("notes", ["title": .text("day \(index)"), "body": .text(body)]) }
            let summary = try await replica.sync()
            #expect(summary.pushed == 20 && summary.applied == 20)
            #expect(try replica.replica.pendingCount() == 0)
        }
    }

    @Test func aPushedEditStaysVisibleWhileEarlierPagesOfThePullArrive() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "owner@example.com")
            let a = try TestReplica(live, token: token, org: org.id)
            let b = try TestReplica(live, token: token, org: org.id)
            defer { a.remove(); b.remove() }
            let id = try await a.replica.create("notes", ["title": .text("old")]).id
            try await a.sync()
            for index in 0..<3 { _ = try await b.replica.create("notes", ["title": .text("b's \(index)")]) }
            try await b.sync()

            try await a.replica.update("notes", id, ["title": .text("mine")])
            let seen = Mutex<[FieldValue?]>([])
            let observing = ObservingTransport(inner: a.engine.transport) {
                seen.withLock { $0.append(try? a.replica.record("notes", id)?["title"]) }
            }
            var engine = SyncEngine(replica: a.replica, transport: observing)
            engine.pullPageSize = 1
            let summary = try await engine.sync()
            #expect(summary.pulled == 4 && summary.verified)
            #expect(seen.withLock { $0 }.count == 4)
            #expect(seen.withLock { $0 }.allSatisfy { $0 == .text("mine") }, "the edit never flickers back to the server's older value")
            #expect(try a.replica.record("notes", id)?["title"] == .text("mine"))
        }
    }

    @Test func eachFinishedSnapshotGivesItsPlaceBack() async throws {
        try await LiveServer.with(tune: { $0.concurrentSnapshots = 1 }, catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "owner@example.com")
            for _ in 0..<3 {
                let replica = try TestReplica(live, token: token, org: org.id)
                defer { replica.remove() }
                // A place kept after the first would make the next ones fail after their retries.
                #expect(try await replica.sync().verified)
            }
        }
    }

    @Test func aNotFoundFromSomethingOtherThanTheServerKeepsTheReplica() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "owner@example.com")
            // An address with a wrong path prefix, as when the URL of another service behind the same host is used.
            let wrong = HTTPSyncTransport(server: live.url.appendingPathComponent("elsewhere"), token: token, organization: org.id)
            let replica = try TestReplica(live, token: token, org: org.id, transport: wrong)
            defer { replica.remove() }
            _ = try await replica.replica.create("notes", ["title": .text("keep me")])
            await #expect(throws: SyncError.self) { try await replica.sync() }
            #expect(try replica.replica.pendingCount() == 1)
            #expect(FileManager.default.fileExists(atPath: replica.replica.url.path))
        }
    }
}

/// Calls `beforePull` before each pull, to look at the replica between pages.
struct ObservingTransport: SyncTransport {
    let inner: any SyncTransport
    let beforePull: @Sendable () -> Void

    func push(_ request: PushRequest) async throws -> PushResponse { try await inner.push(request) }

    func pull(since: Int64, limit: Int, epoch: UUID?) async throws -> PullResponse {
        beforePull()
        return try await inner.pull(since: since, limit: limit, epoch: epoch)
    }

    func snapshot(_ receive: @Sendable (SnapshotLine) async throws -> Void) async throws { try await inner.snapshot(receive) }

    func events() -> AsyncThrowingStream<Int64, any Error> { inner.events() }
}
