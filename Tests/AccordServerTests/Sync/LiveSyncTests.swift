import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("Live sync", .timeLimit(.minutes(5)))
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

            let fromWriter = try await writer.replica.create("notes", ["title": .text("pushed by the writer")]).id
            try await writer.sync()
            #expect(try await eventually { try follower.replica.record("notes", fromWriter) != nil }, "a poke brought the change")

            let fromFollower = try await follower.replica.create("notes", ["title": .text("written while live")]).id
            #expect(try await eventually { try follower.replica.pendingCount() == 0 }, "the local write was pushed without a sync call")
            try await writer.sync()
            #expect(try writer.replica.record("notes", fromFollower) != nil)

            try await live.restart()
            let afterRestart = try await writer.replica.create("notes", ["title": .text("after the stream dropped")]).id
            try await writer.sync()
            #expect(try await eventually { try follower.replica.record("notes", afterRestart) != nil }, "the follower caught up after the drop")
            following.cancel()
            _ = await following.result
        }
    }

    /// Reads `updates` until a value satisfies `condition`; the observation may deliver it late under load.
    func awaitValue(_ updates: inout AsyncThrowingStream<[LocalRecord], any Error>.Iterator, _ condition: ([LocalRecord]) -> Bool) async throws -> [LocalRecord]? {
        while let records = try await updates.next() {
            if condition(records) { return records }
        }
        return nil
    }

    @Test func anObservedCollectionSeesLocalWritesAndPulledChanges() async throws {
        try await LiveServer.with { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let mine = try TestReplica(live, token: token, org: org.id)
            let theirs = try TestReplica(live, token: token, org: org.id)
            defer { mine.remove(); theirs.remove() }
            var updates = try mine.replica.observeRecords("notes").makeAsyncIterator()

            let local = try await mine.replica.create("notes", ["title": .text("mine")]).id
            let afterWrite = try await awaitValue(&updates) { $0.contains { $0.id == local } }
            #expect(afterWrite?.map(\.id) == [local])

            let pulled = try await theirs.replica.create("notes", ["title": .text("theirs")]).id
            try await theirs.sync()
            try await mine.sync()
            let afterPull = try await awaitValue(&updates) { $0.contains { $0.id == pulled } }
            #expect(Set(afterPull?.map(\.id) ?? []) == [local, pulled])
            #expect(afterPull?.first { $0.id == pulled }?.fields["title"] == .text("theirs"))
        }
    }
}
