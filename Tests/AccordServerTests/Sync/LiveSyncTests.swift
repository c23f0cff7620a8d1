import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("Live sync")
struct LiveSyncTests {
    /// Polls `condition` until it holds or `timeout` passes.
    func eventually(timeout: Duration = .seconds(15), _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    @Test func aLiveReplicaFollowsTheStreamPushesItsWritesAndSurvivesTheStreamDropping() async throws {
        try await LiveServer.with { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let writer = try TestReplica(live, token: token, org: org.id, transport: FaultyTransport(live: live, token: token, organization: org.id))
            let follower = try TestReplica(live, token: token, org: org.id, transport: FaultyTransport(live: live, token: token, organization: org.id))
            defer { writer.remove(); follower.remove() }
            let engine = follower.engine
            let following = Task { try await engine.live(fallbackInterval: .milliseconds(300)) { _ in } }
            defer { following.cancel() }

            let fromWriter = try writer.replica.create("notes", ["title": .text("pushed by the writer")])
            try await writer.sync()
            #expect(try await eventually { try follower.replica.record("notes", fromWriter) != nil }, "a poke brought the change")

            let fromFollower = try follower.replica.create("notes", ["title": .text("written while live")])
            #expect(try await eventually { try follower.replica.pendingCount() == 0 }, "the local write was pushed without a sync call")
            try await writer.sync()
            #expect(try writer.replica.record("notes", fromFollower) != nil)

            try await live.restart()
            let afterRestart = try writer.replica.create("notes", ["title": .text("after the stream dropped")])
            try await writer.sync()
            #expect(try await eventually { try follower.replica.record("notes", afterRestart) != nil }, "the follower caught up after the drop")
            following.cancel()
            _ = await following.result
        }
    }

    @Test func anObservedCollectionSeesLocalWritesAndPulledChanges() async throws {
        try await LiveServer.with { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let mine = try TestReplica(live, token: token, org: org.id)
            let theirs = try TestReplica(live, token: token, org: org.id)
            defer { mine.remove(); theirs.remove() }
            var updates = try mine.replica.observeRecords("notes").makeAsyncIterator()
            #expect(try await updates.next() == [], "the first value is the current state")

            let local = try mine.replica.create("notes", ["title": .text("mine")])
            #expect(try await updates.next()?.map(\.id) == [local])

            let pulled = try theirs.replica.create("notes", ["title": .text("theirs")])
            try await theirs.sync()
            try await mine.sync()
            var seen = try await updates.next()
            while let records = seen, !records.contains(where: { $0.id == pulled }) { seen = try await updates.next() }
            #expect(Set(seen?.map(\.id) ?? []) == [local, pulled])
            #expect(seen?.first { $0.id == pulled }?.fields["title"] == .text("theirs"))
        }
    }
}
