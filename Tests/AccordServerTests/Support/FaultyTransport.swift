import AccordClient
import AccordCore
import Foundation
import Synchronization

/// The faults a sync can meet, armed by a test before a sync.
struct FaultPlan: Sendable {
    /// The server commits the push, but its answer never arrives.
    var losePushResponse = false
    /// The server answers the pull, but the answer is cut off.
    var cutPull = false
    /// The snapshot stops after this many lines.
    var cutSnapshotAfter: Int?
}

/// Reaches a live server (at its current address, which changes when it restarts) and injects faults.
final class FaultyTransport: SyncTransport {
    let live: LiveServer
    let token: String
    let organization: UUID
    private let plan = Mutex(FaultPlan())
    private let injected = Mutex(0)

    init(live: LiveServer, token: String, organization: UUID) {
        self.live = live
        self.token = token
        self.organization = organization
    }

    func arm(_ faults: FaultPlan) { plan.withLock { $0 = faults } }

    /// How many faults fired.
    var faultsInjected: Int { injected.withLock { $0 } }

    private var inner: HTTPSyncTransport { HTTPSyncTransport(server: live.url, token: token, organization: organization) }

    private func take(_ fault: WritableKeyPath<FaultPlan, Bool>) -> Bool {
        let armed = plan.withLock { plan in
            defer { plan[keyPath: fault] = false }
            return plan[keyPath: fault]
        }
        if armed { injected.withLock { $0 += 1 } }
        return armed
    }

    func push(_ request: PushRequest) async throws -> PushResponse {
        let response = try await inner.push(request)
        if take(\.losePushResponse) { throw SyncError.transient("the push's answer was lost") }
        return response
    }

    func pull(since: Int64, limit: Int, epoch: UUID?) async throws -> PullResponse {
        let response = try await inner.pull(since: since, limit: limit, epoch: epoch)
        if take(\.cutPull) { throw SyncError.transient("the pull was cut off") }
        return response
    }

    func snapshot(_ receive: @Sendable (SnapshotLine) async throws -> Void) async throws {
        let limit = plan.withLock { plan in
            defer { plan.cutSnapshotAfter = nil }
            return plan.cutSnapshotAfter
        }
        let lines = Mutex(0)
        try await inner.snapshot { line in
            let count = lines.withLock { count in
                count += 1
                return count
            }
            if let limit, count > limit {
                injected.withLock { $0 += 1 }
                throw SyncError.transient("the snapshot was cut off")
            }
            try await receive(line)
        }
    }

    func events() -> AsyncThrowingStream<Int64, any Error> { inner.events() }
}
