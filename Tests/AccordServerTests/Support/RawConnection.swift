import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP connection to a live server, for what an HTTP client library hides: several requests in turn on a
/// connection that carries an open stream.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let received: Received

    private final class Received: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text = Mutex("")

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            text.withLock { $0 += String(buffer: buffer) }
        }
    }

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    static func open(to url: URL) async throws -> RawConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) }
            }
            .connect(host: url.host ?? "127.0.0.1", port: url.port ?? 80).get()
        return RawConnection(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Whether `fragment` arrives within `timeout`.
    func waitFor(_ fragment: String, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if received.text.withLock({ $0.contains(fragment) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    var text: String { received.text.withLock { $0 } }

    /// Whether the server closes the connection within `timeout`.
    func waitUntilClosed(timeout: Duration = .seconds(10)) async -> Bool {
        let closed = channel.closeFuture
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await closed.get()) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Opens a realtime stream with `token` and waits for its first event or an error status.
    static func stream(to url: URL, org: String = "acme", token: String) async throws -> RawConnection {
        let connection = try await open(to: url)
        try await connection.send("GET /v1/orgs/\(org)/sync/events HTTP/1.1\r\nHost: accord\r\nAuthorization: Bearer \(token)\r\n\r\n")
        _ = await connection.waitForAny(["data: {", "\"error\""])
        return connection
    }

    /// Waits until any of `fragments` arrives; returns it, or nil after `timeout`.
    func waitForAny(_ fragments: [String], timeout: Duration = .seconds(30)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = self.text
            if let found = fragments.first(where: { text.contains($0) }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func close() {
        channel.close(promise: nil)
    }
}
