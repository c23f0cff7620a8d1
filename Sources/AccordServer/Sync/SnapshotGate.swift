import HTTPTypes
import Synchronization

/// Bounds what snapshots may hold: each one keeps a database connection and a repeatable-read transaction
/// open while it streams, so only a few run at once, and each for a limited time (`timeLimit`, enforced by
/// PostgreSQL as the statement timeout), so that readers who stop reading cannot starve other requests.
final class SnapshotGate: Sendable {
    /// Snapshots streaming at once; the rest are asked to retry, leaving connections for ordinary requests.
    let capacity: Int
    /// How long one collection's rows may take to reach the client.
    let timeLimit: Duration
    private let running = Mutex(0)

    init(capacity: Int, timeLimit: Duration = .seconds(15 * 60)) {
        self.capacity = capacity
        self.timeLimit = timeLimit
    }

    /// Takes a place, or throws `503 busy` when all are taken. The place is given back when the pass is
    /// released, which happens even when the response never gets to stream.
    func enter() throws -> Pass {
        let admitted = running.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError(
                .serviceUnavailable, code: "busy",
                message: "\(capacity) snapshots are already streaming from this server; retry in a few seconds.",
                headers: [.retryAfter: "5"]
            )
        }
        return Pass(gate: self)
    }

    final class Pass: Sendable {
        let gate: SnapshotGate

        fileprivate init(gate: SnapshotGate) { self.gate = gate }

        deinit { gate.running.withLock { $0 -= 1 } }
    }
}
