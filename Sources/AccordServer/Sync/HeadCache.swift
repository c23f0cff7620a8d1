import Foundation
import Synchronization

/// Each organization's last read head and checksums, so that a pull from a replica already at the head, the
/// commonest request of all, is answered without a database round trip.
///
/// Trusted only while the realtime listener is connected, because it learns of new changes from the same
/// notifications as the realtime streams; a push on this instance advances it itself after its commit. An
/// organization's floor is the highest seq known to exist, so a head read before a commit cannot be stored
/// after hearing of that commit; a stored head is at worst as old as a pull that started a moment earlier.
final class HeadCache: Sendable {
    /// Past this many organizations the cache starts over, which bounds its memory.
    static let capacity = 100_000

    private struct State {
        var trusted = false
        /// Advances on every clearing, so a head read before it is not stored after it.
        var generation: UInt64 = 0
        var heads: [UUID: SyncLog.Head] = [:]
        var floors: [UUID: Int64] = [:]
    }

    private let state = Mutex(State())

    /// Taken before reading a head from the database; the head is stored only if nothing was cleared meanwhile.
    struct Ticket {
        fileprivate let generation: UInt64
    }

    func ticket() -> Ticket? {
        state.withLock { $0.trusted ? Ticket(generation: $0.generation) : nil }
    }

    func head(of org: UUID) -> SyncLog.Head? {
        state.withLock { $0.trusted ? $0.heads[org] : nil }
    }

    func offer(_ head: SyncLog.Head, of org: UUID, ticket: Ticket?) {
        guard let ticket else { return }
        state.withLock { state in
            guard state.trusted, state.generation == ticket.generation, head.seq >= state.floors[org, default: 0] else { return }
            if state.heads.count >= Self.capacity { Self.clear(&state) }
            state.heads[org] = head
        }
    }

    /// The organization's log reached `seq`: a stored head before it is dropped, and no older one is stored.
    func advance(_ org: UUID, to seq: Int64) {
        state.withLock { state in
            if state.floors.count >= Self.capacity { Self.clear(&state) }
            if seq > state.floors[org, default: 0] { state.floors[org] = seq }
            if let head = state.heads[org], head.seq < seq { state.heads[org] = nil }
        }
    }

    /// Starts (`true`) or stops trusting the cache, which is then empty either way.
    func setTrusted(_ trusted: Bool) {
        state.withLock { state in
            Self.clear(&state)
            state.trusted = trusted
        }
    }

    private static func clear(_ state: inout State) {
        state.generation &+= 1
        state.heads = [:]
        state.floors = [:]
    }
}
