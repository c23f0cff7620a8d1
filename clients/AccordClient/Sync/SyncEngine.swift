import AccordCore
import Foundation
import Synchronization

/// Reconciles one replica with the server: push the outbox, pull (or snapshot), re-apply what is still
/// pending, and prove the replica equals the server with the checksums.
public struct SyncEngine: Sendable {
    public let replica: Replica
    public let transport: any SyncTransport
    public var backoff = Backoff()
    public var pushBatchSize = 500
    public var pullPageSize = SyncProtocol.defaultPullLimit
    /// Records per SQLite transaction while applying a snapshot.
    public var snapshotBatchSize = 2_000

    public init(replica: Replica, transport: any SyncTransport) {
        self.replica = replica
        self.transport = transport
    }

    /// One round. A lost organization purges the replica's file and throws `ClientError.accessLost`.
    @discardableResult
    public func sync(progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws -> SyncSummary {
        var summary = SyncSummary()
        do {
            try await push(&summary, progress: progress)
            let checksums = try await catchUp(&summary, progress: progress)
            summary.verified = true
            if try replica.recordIfVerified(summary, serverChecksums: checksums) { return summary }
            // Counting every row first tells a replica that differs from bookkeeping that drifted.
            try replica.recountChecksums()
            summary.recountedChecksums = true
            if try replica.recordIfVerified(summary, serverChecksums: nil) { return summary }
            try await snapshot(&summary, progress: progress)
            guard try replica.recordIfVerified(summary, serverChecksums: nil) else {
                throw ClientError.integrity("the replica still differs from the server after a fresh snapshot; run accord doctor")
            }
            return summary
        } catch SyncError.accessLost {
            let url = replica.url
            let org = replica.organization.lowercasedText
            // Only a replica known to hold nothing unsynced and no rejection to review is deleted; one that cannot
            // be read is set aside too, since what it holds cannot be told.
            let pending = try? replica.pendingCount()
            let rejected = try? replica.rejections().count
            try? replica.close()
            if pending == 0 && rejected == 0 {
                try Replica.remove(at: url)
                throw ClientError.accessLost(org)
            }
            let aside = try Replica.setAside(at: url)
            throw ClientError.accessLost(org, keptUnsynced: SetAsideChanges(pending: pending, rejected: rejected, file: aside.path))
        } catch {
            try? replica.recordFailure("\(error)")
            throw error
        }
    }

    private func push(_ summary: inout SyncSummary, progress: (@Sendable (SyncProgress) -> Void)?) async throws {
        var limit = pushBatchSize
        var total: Int64?
        var renumbered = false
        while true {
            let batch = try replica.pendingBatch(limit: limit)
            guard !batch.isEmpty else { return }
            // Counted only when there is something to push, which an idle round never has.
            let everything = try total ?? Int64(replica.pendingCount())
            total = everything
            let request = PushRequest(clientID: replica.clientID, mutations: batch)
            let response: PushResponse
            do {
                response = try await backoff.retrying { try await transport.push(request) }
            } catch SyncError.refused(413, _, _) where batch.count > 1 {
                // Long texts made the batch larger than the server's body limit: send fewer at a time.
                limit = batch.count / 2
                continue
            } catch SyncError.outOfStep(let from, let expected, let message) {
                // Once is enough to follow the server; a second time in one round means something else is wrong.
                guard !renumbered else { throw SyncError.refused(status: 409, code: "out_of_step", message: message) }
                renumbered = true
                try replica.renumberPending(from: from, to: expected)
                summary.renumbered = true
                continue
            }
            try replica.acknowledge(response.results, of: batch)
            response.results.forEach { summary.count($0) }
            progress?(SyncProgress(phase: .pushing, done: Int64(summary.pushed), total: everything))
        }
    }

    /// Pulls to the head; returns the checksums the last page gave, or nil when a snapshot took over.
    private func catchUp(_ summary: inout SyncSummary, progress: (@Sendable (SyncProgress) -> Void)?) async throws -> [String: CollectionChecksum]? {
        var state = try replica.cursor()
        if state.needsSnapshot {
            try await snapshot(&summary, progress: progress)
            state = try replica.cursor()
        }
        summary.cursor = state.cursor
        let (epoch, limit, backoff, transport, catalog) = (state.epoch, pullPageSize, backoff, transport, replica.catalog)
        let fetch = { @Sendable (since: Int64) in
            Task {
                // Read and made ready to write here, off the writer's path.
                Replica.PreparedPage(try await backoff.retrying { try await transport.pull(since: since, limit: limit, epoch: epoch) }, catalog: catalog)
            }
        }
        // The next page is on its way while this one is written, so the network and the server work alongside SQLite.
        var next = fetch(state.cursor)
        var catchingUp = false
        defer {
            next.cancel()
            if catchingUp { try? replica.setCatchingUp(false) }
        }
        while true {
            let prepared: Replica.PreparedPage
            do {
                // The fetch is a task of its own, so this round's cancellation has to reach it explicitly.
                let fetching = next
                prepared = try await withTaskCancellationHandler { try await fetching.value } onCancel: { fetching.cancel() }
            } catch SyncError.resyncRequired {
                try await snapshot(&summary, progress: progress)
                return nil
            }
            let page = prepared.page
            if page.more {
                next = fetch(page.next)
                if !catchingUp { try replica.setCatchingUp(true) }
                catchingUp = true
            }
            // An idle round writes nothing here.
            if !state.isUnchanged(by: page) { try replica.apply(prepared) }
            summary.pulled += page.changes.count
            summary.cursor = page.next
            progress?(SyncProgress(phase: .pulling, done: Int64(summary.pulled), total: nil))
            if !page.more { return page.checksums }
        }
    }

    /// Replaces the replica's server state with a snapshot, applied in batches; pending local changes stay.
    private func snapshot(_ summary: inout SyncSummary, progress: (@Sendable (SyncProgress) -> Void)?) async throws {
        let received = try await backoff.retrying { try await receiveSnapshot(progress: progress) }
        summary.snapshotRecords += Int(received)
        summary.cursor = try replica.cursor().cursor
    }

    private func receiveSnapshot(progress: (@Sendable (SyncProgress) -> Void)?) async throws -> Int64 {
        let generation = try replica.beginSnapshot()
        let receiver = SnapshotReceiver(replica: replica, generation: generation, batchSize: snapshotBatchSize, progress: progress)
        do {
            try await transport.snapshot { line in try await receiver.receive(line) }
            return try await receiver.finish()
        } catch {
            // A batch still being written must be done before a retry begins another generation.
            await receiver.abandon()
            throw error
        }
    }
}
