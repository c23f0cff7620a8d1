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
    let streams: StreamRegistry
    /// The listener's open connection, closed on shutdown: a task waiting for notifications is not reliably
    /// woken by cancellation alone, and stopping must never wait on one.
    private let listening = Mutex<PostgresConnection?>(nil)
    private let now: @Sendable () -> Date

    init(
        connection: PostgresConnection.Configuration, database: Database, access: AccessCache, heads: HeadCache, limits: StreamLimits,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.connection = connection
        self.database = database
        self.access = access
        self.heads = heads
        self.streams = StreamRegistry(limits: limits)
        self.now = now
        self.logger = logger
    }

    /// Sends `org`'s events to `sink` until `unsubscribe`, or until the holder's access ends. `checkedAt` is the
    /// access cache's generation from before the holder's access was checked: when access changed since, the
    /// change may be the holder's and its notification found no stream to end yet, so the access is checked again.
    /// A stream that opened at `head` is poked at once when a change arrived between reading that head and
    /// subscribing.
    func subscribe(to org: UUID, openedAt head: Int64, holder: StreamRegistry.Holder, checkedAt: UInt64, sink: StreamRegistry.Sink) -> UUID {
        let (id, missed) = streams.add(sink, holder: holder, to: org, openedAt: head)
        // After adding: a change cleared the cache either before this (the generation shows it) or after (and
        // then its notification finds the stream).
        if access.generation != checkedAt {
            Task { await self.recheck(org, streams: [(id, holder, sink)]) }
        }
        if let missed { sink.send(.poke(missed)) }
        return id
    }

    /// Ends those of `org`'s `streams` whose token or membership is no longer live; when that cannot be read,
    /// ends them all, and the clients' reconnections are checked afresh.
    private func recheck(_ org: UUID, streams candidates: [StreamRegistry.Entry]) async {
        let tokens = candidates.map(\.holder.token)
        let live = try? await database.transaction(org: org, logger: logger) { tx in
            try await tx.rows(
                """
                SELECT t.id FROM tokens t JOIN memberships m ON m.user_id = t.user_id AND m.org_id = \(org)
                WHERE t.id = ANY(\(tokens)) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
                """,
                as: UUID.self
            )
        }
        let kept = Set(live ?? [])
        for (id, holder, sink) in candidates where !kept.contains(holder.token) {
            if streams.remove(id, from: org) { sink.end() }
        }
    }

    /// After (re)connecting the listener, every stream's access is checked again: notifications sent while it
    /// was away are lost.
    private func recheckAll() async {
        for (org, entries) in streams.entriesByOrganization {
            await recheck(org, streams: entries)
        }
    }

    func unsubscribe(_ id: UUID, from org: UUID) {
        streams.remove(id, from: org)
    }

    var subscriberCount: Int { streams.count }

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
        for sink in streams.removeAll() { sink.end() }
    }

    /// Ends the streams an access change took away: the access triggers name a token that was revoked or
    /// deleted (`token:<id>`) and a membership that ended (`member:<org>:<user>`).
    func endStreams(losing payload: String) {
        let parts = payload.split(separator: ":").map(String.init)
        let ended: [StreamRegistry.Sink]
        switch (parts.first, parts.count) {
        case ("token", 2):
            guard let token = UUID(uuidString: parts[1]) else { return }
            ended = streams.removeAll { $1.token == token }
        case ("member", 3):
            guard let org = UUID(uuidString: parts[1]), let user = UUID(uuidString: parts[2]) else { return }
            ended = streams.removeAll { $0 == org && $1.user == user }
        default:
            return
        }
        for sink in ended { sink.end() }
    }

    /// Ends the streams whose tokens expired; the keepalive round calls it.
    func endExpiredStreams() {
        let now = now()
        for sink in streams.removeAll(matching: { $1.expiresAt.map { $0 <= now } ?? false }) { sink.end() }
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
                            Task {
                                await self.repokeAll()
                                await self.recheckAll()
                            }
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask {
                                    for try await change in accessChanges {
                                        // Cleared first: the generation it advances is what a stream subscribing
                                        // meanwhile compares.
                                        self.access.clear()
                                        self.endStreams(losing: change.payload)
                                    }
                                }
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
        for sink in streams.reached(seq, in: org) { sink.send(.poke(seq)) }
    }

    /// After (re)connecting, tells every subscriber its organization's head, in case a poke was missed.
    private func repokeAll() async {
        for org in streams.organizations {
            let head = try? await database.transaction(org: org, logger: logger) { tx in
                try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org)", as: Int64.self)
            }
            if let head { poke(org, seq: head) }
        }
    }

    private func sendKeepalives() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.keepaliveInterval)
            endExpiredStreams()
            for sink in streams.sinks { sink.send(.keepalive) }
        }
    }
}
