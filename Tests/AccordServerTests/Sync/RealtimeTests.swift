import AccordClient
import AccordCore
import AccordServer
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Collects the pokes of one realtime stream in the background.
final class PokeCollector: Sendable {
    private let task: Task<Void, Never>

    init(_ transport: HTTPSyncTransport) {
        let box = PokeBox()
        task = Task {
            do {
                for try await seq in transport.events() { box.append(seq) }
            } catch {}
        }
        self.box = box
    }

    private let box: PokeBox

    /// Waits until a poke satisfies `condition`, up to `timeout`: generous, for a loaded machine; only a failure waits it out.
    func waitFor(timeout: Duration = .seconds(60), _ condition: @Sendable (Int64) -> Bool) async -> Int64? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = box.values.first(where: condition) { return match }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    var count: Int { box.values.count }

    func stop() { task.cancel() }
}

private final class PokeBox: Sendable {
    private let storage = Mutex<[Int64]>([])
    var values: [Int64] { storage.withLock { $0 } }
    func append(_ value: Int64) { storage.withLock { $0.append(value) } }
}

@Suite("Realtime pokes", .timeLimit(.minutes(5)))
struct RealtimeTests {
    @Test func aWriteOnOneInstancePokesAClientConnectedToAnother() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { first in
            try await first.withSecondInstance { second in
                let (token, _) = try await first.signup("dana@example.com")
                let org = try await first.createOrganization("acme", token: token)
                let pokes = PokeCollector(HTTPSyncTransport(server: second.url, token: token, organization: org.id))
                defer { pokes.stop() }
                #expect(await pokes.waitFor { $0 == 0 } == 0, "the stream opens with the current head")

                let writer = try TestReplica(first, token: token, org: org.id)
                defer { writer.remove() }
                try await writer.replica.create("notes", ["title": .text("poke")])
                try await writer.sync()
                #expect(await pokes.waitFor { $0 >= 1 } == 1, "the write on the first instance reached the second's stream")
            }
        }
    }

    @Test func theListenerReconnectsAndPokesAgainAfterLosingItsConnection() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let writer = try TestReplica(live, token: token, org: org.id)
            defer { writer.remove() }
            try await writer.replica.create("notes", ["title": .text("before")])
            try await writer.sync()
            let pokes = PokeCollector(HTTPSyncTransport(server: live.url, token: token, organization: org.id))
            defer { pokes.stop() }
            #expect(await pokes.waitFor { $0 == 1 } == 1)
            let before = pokes.count

            let terminated = try await TestDatabase.withConnection(to: live.database.owner) { connection in
                var count = 0
                for try await ok in try await connection.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'", logger: testLogger
                ).decode(Bool.self) where ok { count += 1 }
                return count
            }
            #expect(terminated >= 1)
            let deadline = ContinuousClock.now + .seconds(10)
            while pokes.count == before && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(pokes.count > before, "after reconnecting, the listener re-poked with the head")

            try await writer.replica.create("notes", ["title": .text("after")])
            try await writer.sync()
            #expect(await pokes.waitFor { $0 == 2 } == 2, "new writes poke through the new connection")
        }
    }

    @Test func streamsAnsweredFromTheCachesCarryTheSameEventsAsTheFirst() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            let writer = try TestReplica(live, token: token, org: org.id)
            defer { writer.remove() }
            try await writer.replica.create("notes", ["title": .text("first")])
            try await writer.sync()
            // The first streams go through the route and fill the caches; once they are warm, the connection
            // handler answers the next ones itself.
            var streams: [PokeCollector] = []
            defer { streams.forEach { $0.stop() } }
            for _ in 0..<4 {
                let stream = PokeCollector(HTTPSyncTransport(server: live.url, token: token, organization: org.id))
                streams.append(stream)
                #expect(await stream.waitFor { $0 == 1 } == 1, "a stream opens with the current head")
            }
            try await writer.replica.create("notes", ["title": .text("second")])
            try await writer.sync()
            for stream in streams {
                #expect(await stream.waitFor { $0 == 2 } == 2, "every stream hears of the new write")
            }
        }
    }

    @Test func aStreamForARevokedTokenIsRefusedInTheUsualShape() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, org) = try await live.acme(owner: "dana@example.com")
            for _ in 0..<3 {
                let stream = PokeCollector(HTTPSyncTransport(server: live.url, token: token, organization: org.id))
                #expect(await stream.waitFor { $0 == 0 } == 0)
                stream.stop()
            }
            #expect(try await live.status("POST", "v1/auth/logout", token: token) == 204)
            #expect(try await live.status("GET", "v1/orgs/acme/sync/events", token: token) == 401)
        }
    }

    @Test func aNewRequestOnAStreamingConnectionEndsTheStreamAndIsAnswered() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, _) = try await live.acme(owner: "dana@example.com")
            // The first connection's stream comes through the route, the later ones from the warm caches.
            for attempt in 1...3 {
                let connection = try await RawConnection.open(to: live.url)
                defer { connection.close() }
                try await connection.send("GET /v1/orgs/acme/sync/events HTTP/1.1\r\nHost: accord\r\nAuthorization: Bearer \(token)\r\n\r\n")
                #expect(await connection.waitFor("data: {\"seq\":0}"), "stream \(attempt) opened: \(connection.text)")
                try await connection.send("GET /health HTTP/1.1\r\nHost: accord\r\n\r\n")
                #expect(await connection.waitFor("0\r\n\r\nHTTP/1.1 200"), "stream \(attempt) ended before the next answer: \(connection.text)")
            }
        }
    }
}
