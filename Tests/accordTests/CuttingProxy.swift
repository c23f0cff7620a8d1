import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy between clients and the server, written for the fault tests: it can cut every open connection,
/// stall them all, and call the test back when a request it names starts to pass, so a fault lands in the
/// middle of that request.
final class CuttingProxy: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: (any Channel, any Channel)] = [:]
        var stalled = false
        /// Called once, with the first bytes that contain the marker.
        var trap: (marker: String, action: @Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let listener = Mutex<(any Channel)?>(nil)
    let targetPort: Int

    private init(targetPort: Int) {
        self.targetPort = targetPort
    }

    static func start(to targetPort: Int) async throws -> CuttingProxy {
        let proxy = CuttingProxy(targetPort: targetPort)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in proxy.connect(inbound) }
            .bind(host: "127.0.0.1", port: 0).get()
        proxy.listener.withLock { $0 = channel }
        return proxy
    }

    var port: Int { listener.withLock { $0?.localAddress?.port ?? 0 } }

    /// Closes every connection open now; later ones pass again.
    func cutAll() {
        let open = state.withLock { state in defer { state.connections = [:] }; return Array(state.connections.values) }
        for (inbound, outbound) in open {
            inbound.close(promise: nil)
            outbound.close(promise: nil)
        }
    }

    /// Stops (or resumes) reading from both sides of every connection.
    func stall(_ stalled: Bool) {
        let open = state.withLock { state in state.stalled = stalled; return Array(state.connections.values) }
        for (inbound, outbound) in open {
            _ = inbound.setOption(.autoRead, value: !stalled)
            _ = outbound.setOption(.autoRead, value: !stalled)
        }
    }

    /// Runs `action` once, as soon as client bytes containing `marker` have been passed on to the server.
    func trap(_ marker: String, _ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.trap = (marker, action) }
    }

    func close() {
        cutAll()
        listener.withLock { $0 }?.close(promise: nil)
    }

    fileprivate func passed(_ bytes: ByteBuffer) {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            guard let trap = state.trap, String(buffer: bytes).contains(trap.marker) else { return nil }
            state.trap = nil
            return trap.action
        }
        action?()
    }

    fileprivate func forget(_ inbound: any Channel) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(inbound)) }
    }

    private func connect(_ inbound: any Channel) -> EventLoopFuture<Void> {
        ClientBootstrap(group: inbound.eventLoop)
            .connect(host: "127.0.0.1", port: targetPort)
            .flatMap { outbound in
                inbound.pipeline.addHandler(Forward(peer: outbound, proxy: self, fromClient: true)).flatMap {
                    outbound.pipeline.addHandler(Forward(peer: inbound, proxy: self, fromClient: false))
                }.flatMap {
                    let stalled = self.state.withLock { state in
                        state.connections[ObjectIdentifier(inbound)] = (inbound, outbound)
                        return state.stalled
                    }
                    return inbound.setOption(.autoRead, value: !stalled)
                }
            }
            .flatMapError { _ in
                // The server is down: the client sees its connection closed, as it would.
                inbound.close()
            }
    }

    private final class Forward: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let peer: any Channel
        let proxy: CuttingProxy
        let fromClient: Bool

        init(peer: any Channel, proxy: CuttingProxy, fromClient: Bool) {
            self.peer = peer
            self.proxy = proxy
            self.fromClient = fromClient
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            let proxy = proxy, fromClient = fromClient
            peer.writeAndFlush(bytes).whenComplete { _ in if fromClient { proxy.passed(bytes) } }
        }

        func channelInactive(context: ChannelHandlerContext) {
            proxy.forget(context.channel)
            peer.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
