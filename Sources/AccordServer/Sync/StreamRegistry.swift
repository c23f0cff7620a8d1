import Foundation
import HTTPTypes
import Synchronization

/// How many realtime streams one instance holds open: each costs a connection and a little memory, so one
/// account's runaway clients, or a flood of them, must not take what everyone else needs.
public struct StreamLimits: Sendable, Equatable {
    public var total: Int
    public var perUser: Int

    public init(total: Int = 10_000, perUser: Int = 16) {
        self.total = total
        self.perUser = perUser
    }
}

/// The realtime streams this instance holds, by organization, with who holds each: pokes find an
/// organization's streams here, a stream ends when its holder's token or membership does, and nobody opens
/// more than the limits allow.
final class StreamRegistry: Sendable {
    /// Where one stream's events go: `send` delivers an event, `end` closes the stream.
    struct Sink: Sendable {
        var send: @Sendable (SyncEvent) -> Void
        var end: @Sendable () -> Void
    }

    /// Whose access a stream lives on.
    struct Holder: Sendable, Equatable {
        var user: UUID
        var token: UUID
        var expiresAt: Date?
    }

    typealias Entry = (id: UUID, holder: Holder, sink: Sink)

    private struct Stream {
        var sink: Sink
        var holder: Holder
    }

    private struct State {
        var streams: [UUID: [UUID: Stream]] = [:]
        /// The latest seq each organization's notifications reported, for a stream that subscribes after it.
        var latest: [UUID: Int64] = [:]
        var perUser: [UUID: Int] = [:]
        var total = 0
    }

    let limits: StreamLimits
    private let state = Mutex(State())

    init(limits: StreamLimits) {
        self.limits = limits
    }

    /// Throws the answer for a stream `user` may not open now: 503 when the instance is full, 429 when the user
    /// holds their share. Checked before the stream's response starts, so the refusal is an ordinary error.
    func admit(_ user: UUID) throws {
        let (total, mine) = state.withLock { ($0.total, $0.perUser[user] ?? 0) }
        if total >= limits.total {
            throw APIError(
                .serviceUnavailable, code: "busy",
                message: "This server holds as many realtime streams as it may (\(limits.total)); syncing still works, and the stream is tried again shortly.",
                details: ["retryAfter": "30"], headers: [.retryAfter: "30"]
            )
        }
        if mine >= limits.perUser {
            throw APIError(
                .tooManyRequests, code: "too_many_streams",
                message: "You already hold \(mine) realtime streams on this server, the most one account may; stop a watching client you no longer use.",
                details: ["retryAfter": "60", "limit": "\(limits.perUser)"], headers: [.retryAfter: "60"]
            )
        }
    }

    /// Whether `user` may open a stream now, for the path that answers from the caches.
    func admits(_ user: UUID) -> Bool {
        (try? admit(user)) != nil
    }

    /// Adds a stream; returns its id and the seq it missed, when a change arrived after it read `head`.
    func add(_ sink: Sink, holder: Holder, to org: UUID, openedAt head: Int64) -> (id: UUID, missed: Int64?) {
        let id = UUID()
        let missed = state.withLock { state -> Int64? in
            state.streams[org, default: [:]][id] = Stream(sink: sink, holder: holder)
            state.perUser[holder.user, default: 0] += 1
            state.total += 1
            return state.latest[org].flatMap { $0 > head ? $0 : nil }
        }
        return (id, missed)
    }

    /// Takes a stream out; false when it was not there (it ended already).
    @discardableResult
    func remove(_ id: UUID, from org: UUID) -> Bool {
        state.withLock { state in
            guard let stream = state.streams[org]?.removeValue(forKey: id) else { return false }
            Self.forget(stream.holder, in: &state)
            if state.streams[org]?.isEmpty == true { state.streams[org] = nil }
            return true
        }
    }

    /// Takes out the streams `matching` picks, and returns their sinks for the caller to end.
    func removeAll(matching: (_ org: UUID, Holder) -> Bool = { _, _ in true }) -> [Sink] {
        state.withLock { state in
            var removed: [Sink] = []
            for (org, streams) in state.streams {
                for (id, stream) in streams where matching(org, stream.holder) {
                    state.streams[org]?[id] = nil
                    Self.forget(stream.holder, in: &state)
                    removed.append(stream.sink)
                }
                if state.streams[org]?.isEmpty == true { state.streams[org] = nil }
            }
            return removed
        }
    }

    /// Notes that `org` reached `seq` and returns its streams' sinks.
    func reached(_ seq: Int64, in org: UUID) -> [Sink] {
        state.withLock { state in
            state.latest[org] = max(state.latest[org] ?? 0, seq)
            return state.streams[org].map { $0.values.map(\.sink) } ?? []
        }
    }

    var organizations: [UUID] { state.withLock { Array($0.streams.keys) } }
    var entriesByOrganization: [UUID: [Entry]] {
        state.withLock { $0.streams.mapValues { streams in streams.map { ($0.key, $0.value.holder, $0.value.sink) } } }
    }
    var sinks: [Sink] { state.withLock { $0.streams.values.flatMap { $0.values.map(\.sink) } } }
    var count: Int { state.withLock { $0.total } }

    private static func forget(_ holder: Holder, in state: inout State) {
        state.total -= 1
        state.perUser[holder.user, default: 1] -= 1
        if state.perUser[holder.user] == 0 { state.perUser[holder.user] = nil }
    }
}
