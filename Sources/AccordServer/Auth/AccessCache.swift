import Foundation
import NIOCore
import Synchronization

/// Who a token belongs to and what they may enter, remembered between requests so that a request from a
/// known client needs no database round trip before its own work.
///
/// It is only trusted while the realtime listener is connected: every change to tokens, users, memberships
/// or organizations, on any instance or from the admin command, NOTIFYs `accord_access` on commit, and the
/// listener clears the cache on it. A request on this instance that changes access clears it again after its
/// commit, so the next request never sees the old access. Entries also expire after `lifetime`, which bounds how
/// stale `last_used_at` may get, since a cached token is not touched.
final class AccessCache: Sendable {
    /// The NOTIFY channel of the access triggers (migration 0003).
    static let channel = "accord_access"
    static let lifetime: Duration = .seconds(30)
    /// Past this many entries the cache starts over, which bounds its memory.
    static let capacity = 50_000

    struct MembershipKey: Hashable {
        var user: UUID
        var reference: String
    }

    private struct Entry<Value> {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var trusted = false
        /// Advances on every clearing, so a lookup that read the database before it cannot store what it read.
        var generation: UInt64 = 0
        var identities: [ByteBuffer: Entry<(Identity, Date?)>] = [:]
        var memberships: [MembershipKey: Entry<OrganizationAccess>] = [:]
    }

    private let state = Mutex(State())

    /// A token to fill the cache with: taken before reading the database, honoured only if nothing changed meanwhile.
    struct Ticket {
        fileprivate let generation: UInt64
    }

    /// Advances whenever the cache is cleared, which is whenever access changed; a realtime stream reads it
    /// before its access is checked and compares it when it subscribes.
    var generation: UInt64 { state.withLock { $0.generation } }

    func ticket() -> Ticket? {
        state.withLock { $0.trusted ? Ticket(generation: $0.generation) : nil }
    }

    func identity(forTokenHash hash: ByteBuffer, now: Date = Date()) -> Identity? {
        state.withLock { state in
            guard state.trusted, let entry = state.identities[hash], entry.expires > .now else { return nil }
            if let expiresAt = entry.value.1, expiresAt <= now { return nil }
            return entry.value.0
        }
    }

    func remember(_ identity: Identity, expiresAt: Date?, forTokenHash hash: ByteBuffer, ticket: Ticket?) {
        store(ticket) { state in
            if state.identities.count >= Self.capacity { state.identities = [:] }
            state.identities[hash] = Entry(value: (identity, expiresAt), expires: .now + Self.lifetime)
        }
    }

    func access(_ reference: String, user: UUID) -> OrganizationAccess? {
        state.withLock { state in
            guard state.trusted, let entry = state.memberships[MembershipKey(user: user, reference: reference)], entry.expires > .now
            else { return nil }
            return entry.value
        }
    }

    func remember(_ access: OrganizationAccess, reference: String, ticket: Ticket?) {
        store(ticket) { state in
            if state.memberships.count >= Self.capacity { state.memberships = [:] }
            state.memberships[MembershipKey(user: access.userID, reference: reference)] = Entry(value: access, expires: .now + Self.lifetime)
        }
    }

    /// Forgets everything: access changed somewhere.
    func clear() {
        state.withLock { Self.clear(&$0) }
    }

    /// Starts (`true`) or stops trusting the cache, which is then empty either way: notifications may have been
    /// missed while the listener was away.
    func setTrusted(_ trusted: Bool) {
        state.withLock { state in
            Self.clear(&state)
            state.trusted = trusted
        }
    }

    private func store(_ ticket: Ticket?, _ body: (inout State) -> Void) {
        guard let ticket else { return }
        state.withLock { state in
            guard state.trusted, state.generation == ticket.generation else { return }
            body(&state)
        }
    }

    private static func clear(_ state: inout State) {
        state.generation &+= 1
        state.identities = [:]
        state.memberships = [:]
    }
}
