public import AccordCore
public import Foundation

/// How the sync engine reaches the server's sync endpoints; tests wrap it to inject faults.
public protocol SyncTransport: Sendable {
    func push(_ request: PushRequest) async throws -> PushResponse
    func pull(since: Int64, limit: Int, epoch: UUID?) async throws -> PullResponse
    /// Streams a snapshot's lines to `receive`, in order.
    func snapshot(_ receive: @Sendable (SnapshotLine) async throws -> Void) async throws
    /// The realtime stream's pokes: the organization's latest seq. It ends or throws when the stream drops.
    func events() -> AsyncThrowingStream<Int64, any Error>
}

/// Why a sync step failed, sorted by what the engine does about it.
public enum SyncError: Error, Equatable, CustomStringConvertible {
    /// The network or a 5xx: retried with backoff, and the outbox waits for the next sync.
    case transient(String)
    /// The cursor cannot be served any more: take a snapshot.
    case resyncRequired
    /// The server answered `organization_not_found`: the organization is gone, or the user is no longer a member.
    case accessLost
    /// A 4xx the request itself caused, with the server's message.
    case refused(status: Int, code: String, message: String)
    /// The outbox's mutation ids no longer follow what the server has from this replica: pending mutations
    /// from `from` on are to be renumbered from `expected`.
    case outOfStep(from: Int64, expected: Int64, message: String)

    public var description: String {
        switch self {
        case .transient(let reason): "the server could not be reached (\(reason)); local changes are kept and will sync later"
        case .resyncRequired: "the server can no longer serve this replica's cursor; a snapshot is needed"
        case .accessLost: "the organization is gone or you are no longer a member"
        case .refused(_, _, let message), .outOfStep(_, _, let message): message
        }
    }
}
