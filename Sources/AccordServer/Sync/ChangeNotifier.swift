import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// What an organization's realtime stream tells its subscribers.
enum SyncEvent: Sendable, Equatable {
    /// The organization's log reached this seq.
    case poke(Int64)
    /// Nothing happened; keeps proxies from closing an idle stream.
    case keepalive
}

/// Carries the pokes PostgreSQL delivers on `LISTEN accord_changes` to this instance's realtime streams and
/// head cache, and the access changes on `LISTEN accord_access` to the access cache.
///
/// A write on any instance NOTIFYs with `<org>:<seq>` on commit, so every instance's subscribers hear of it.
/// The listener has a connection of its own; when it drops, the caches stop being trusted, and it reconnects
/// with backoff and pokes every subscriber with its organization's current head, since notifications sent
/// meanwhile were lost.
final class ChangeNotifier: Service, Sendable {
    static let keepaliveInterval: Duration = .seconds(15)

    private let connection: PostgresConnection.Configuration
    private let database: Database
    private let access: AccessCache
    private let heads: HeadCache
    private let logger: Logger
    private let subscribers = Mutex<Subscribers>(Subscribers())
    /// The listener's open connection, closed on shutdown: a task waiting for notifications is not reliably
    /// woken by cancellation alone, and stopping must never wait on one.
    private let listening = Mutex<PostgresConnection?>(nil)

    init(connection: PostgresConnection.Configuration, database: Database, access: AccessCache, heads: HeadCache, logger: Logger) {
        self.connection = connection
        self.database = database
        self.access = access
        self.heads = heads
        self.logger = logger
    }

    /// Where one subscriber's events go: `send` delivers an event, `end` closes the stream (on shutdown).
    struct Sink: Sendable {
        var send: @Sendable (SyncEvent) -> Void
        var end: @Sendable () -> Void
    }

    private struct Subscribers {
        var sinks: [UUID: [UUID: Sink]] = [:]
        /// The latest seq each organization's notifications reported, for a stream that subscribes after it.
        var latest: [UUID: Int64] = [:]
    }

    /// Sends `org`'s events to `sink` until `unsubscribe`. A stream that opened at `head` is poked at once when
    /// a change arrived between reading that head and subscribing.
    func subscribe(to org: UUID, openedAt head: Int64, sink: Sink) -> UUID {
        let id = UUID()
        let missed = subscribers.withLock { subscribers -> Int64? in
            subscribers.sinks[org, default: [:]][id] = sink
            return subscribers.latest[org].flatMap { $0 > head ? $0 : nil }
        }
        if let missed { sink.send(.poke(missed)) }
        return id
    }

    func unsubscribe(_ id: UUID, from org: UUID) {
        subscribers.withLock { subscribers in
            subscribers.sinks[org]?[id] = nil
            if subscribers.sinks[org]?.isEmpty == true { subscribers.sinks[org] = nil }
        }
    }

    var subscriberCount: Int {
        subscribers.withLock { $0.sinks.values.reduce(0) { $0 + $1.count } }
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen() }
            group.addTask { await self.sendKeepalives() }
            try? await gracefulShutdown()
            group.cancelAll()
            // After the cancellation, so that a connection opened concurrently sees it and closes itself.
            try? await listening.withLock { $0 }?.close()
        }
        endStreams()
    }

    /// Ends every open stream, so the HTTP server can finish its responses and stop.
    func endStreams() {
        let open = subscribers.withLock { subscribers in
            defer { subscribers.sinks = [:] }
            return subscribers.sinks.values.flatMap(\.values)
        }
        for sink in open { sink.end() }
    }

    private func listen() async {
        var delay = Duration.milliseconds(250)
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: connection, id: attempt, logger: logger)
                listening.withLock { $0 = connection }
                if Task.isCancelled {
                    try? await connection.close()
                    return
                }
                do {
                    try await connection.listen(on: ChangeWriter.channel) { changes in
                        try await connection.listen(on: AccessCache.channel) { accessChanges in
                            delay = .milliseconds(250)
                            trustCaches(true)
                            // Not awaited: re-poking is best effort, and a pool that is shutting down must not
                            // hold the listener, and with it the server's shutdown, waiting for a connection.
                            Task { await self.repokeAll() }
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask { for try await _ in accessChanges { self.access.clear() } }
                                group.addTask { for try await notification in changes { self.deliver(notification.payload) } }
                                try await group.next()
                                group.cancelAll()
                            }
                        }
                    }
                } catch {
                    trustCaches(false)
                    try? await connection.close()
                    throw error
                }
                trustCaches(false)
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("The realtime listener lost its database connection; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }

    private func deliver(_ payload: String) {
        let parts = payload.split(separator: ":")
        guard parts.count == 2, let org = UUID(uuidString: String(parts[0])), let seq = Int64(parts[1]) else { return }
        heads.advance(org, to: seq)
        poke(org, seq: seq)
    }

    private func trustCaches(_ trusted: Bool) {
        access.setTrusted(trusted)
        heads.setTrusted(trusted)
    }

    private func poke(_ org: UUID, seq: Int64) {
        let sinks = subscribers.withLock { subscribers in
            subscribers.latest[org] = max(subscribers.latest[org] ?? 0, seq)
            return subscribers.sinks[org].map { Array($0.values) } ?? []
        }
        for sink in sinks { sink.send(.poke(seq)) }
    }

    /// After (re)connecting, tells every subscriber its organization's head, in case a poke was missed.
    private func repokeAll() async {
        let orgs = subscribers.withLock { Array($0.sinks.keys) }
        for org in orgs {
            let head = try? await database.transaction(org: org, logger: logger) { tx in
                try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org)", as: Int64.self)
            }
            if let head { poke(org, seq: head) }
        }
    }

    private func sendKeepalives() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.keepaliveInterval)
            let sinks = subscribers.withLock { $0.sinks.values.flatMap(\.values) }
            for sink in sinks { sink.send(.keepalive) }
        }
    }
}
