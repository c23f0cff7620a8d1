import AccordCore
import Foundation
import Synchronization

/// Collects a snapshot's records into batches and writes each in one transaction, while the next batch is read:
/// reading and parsing the stream and writing SQLite then share the machine's cores. At most one batch is being
/// written and one collected, so memory stays bounded however large the organization.
///
/// Lines arrive one at a time from one reader, so a lock rather than an actor guards the state: an actor would
/// cost a hop per record.
final class SnapshotReceiver: Sendable {
    private struct State {
        var header: SnapshotHeader?
        var end: SnapshotEnd?
        var batch: [SnapshotRecord] = []
        var received: Int64 = 0
        var writing: Task<Void, any Error>?
    }

    let replica: Replica
    let generation: Int64
    let batchSize: Int
    let progress: (@Sendable (SyncProgress) -> Void)?
    private let state = Mutex(State())

    init(replica: Replica, generation: Int64, batchSize: Int, progress: (@Sendable (SyncProgress) -> Void)?) {
        self.replica = replica
        self.generation = generation
        self.batchSize = batchSize
        self.progress = progress
    }

    func receive(_ line: SnapshotLine) async throws {
        let full: [SnapshotRecord]? = state.withLock { state in
            switch line {
            case .header(let header):
                state.header = header
                progress?(SyncProgress(phase: .snapshot, done: 0, total: header.rows))
            case .record(let record):
                state.batch.append(record)
                state.received += 1
                if state.batch.count >= batchSize {
                    defer { state.batch = [] }
                    return state.batch
                }
            case .end(let end):
                state.end = end
            }
            return nil
        }
        if let full { try await write(full) }
    }

    /// Starts preparing `batch` while the one before it is written, waits for that, then hands this one over to be
    /// written once prepared: reading, preparing and writing each have a task of their own.
    private func write(_ batch: [SnapshotRecord]) async throws {
        let (replica, generation, progress) = (replica, generation, progress)
        let catalog = replica.catalog
        let preparing = Task { batch.compactMap { Replica.SnapshotRow($0, generation: generation, catalog: catalog) } }
        try await state.withLock { $0.writing }?.value
        let (done, total) = state.withLock { ($0.received, $0.header?.rows) }
        let task = Task {
            try replica.applySnapshot(await preparing.value, generation: generation)
            progress?(SyncProgress(phase: .snapshot, done: done, total: total))
        }
        state.withLock { $0.writing = task }
    }

    /// Writes what is left and ends the snapshot; returns the records received.
    func finish() async throws -> Int64 {
        let rest = state.withLock { state in
            defer { state.batch = [] }
            return state.batch
        }
        if !rest.isEmpty { try await write(rest) }
        try await state.withLock { $0.writing }?.value
        return try state.withLock { state in
            guard let header = state.header, let end = state.end else { throw SyncError.transient("the snapshot was cut off before its end") }
            try replica.finishSnapshot(header, end, generation: generation)
            return state.received
        }
    }

    /// Lets a batch being written finish, after the snapshot failed.
    func abandon() async {
        _ = await state.withLock { $0.writing }?.result
    }
}
