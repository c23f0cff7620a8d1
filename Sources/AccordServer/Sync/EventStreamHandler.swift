import AccordCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Holds realtime (SSE) streams open at the connection, beneath Hummingbird.
///
/// The `sync/events` route authenticates, checks membership and the stream limits, and answers with the
/// stream's first event, its response marked with `Accord-Event-Stream: <org>:<head>:<user>:<token>:<expiry>`. This handler takes the mark off, lets the response
/// through and holds back its end, so the response stays open while Hummingbird, its request answered, waits
/// for the connection's next request as it would on any idle connection. The notifier then writes pokes and
/// keepalives straight to the connection. An open stream so costs its connection and this handler rather than
/// a suspended request with its whole call chain, which is what lets one instance hold ten thousand of them.
///
/// When the caches already know the token, the membership and the head, the handler answers the request itself
/// and Hummingbird never sees it: a connection's task keeps the memory of the deepest request it ran, and a
/// storm of reconnecting streams then costs neither that nor the database. Anything else (an unknown token, a
/// protocol mismatch, a cold cache) goes through the route, which answers errors in the usual shape.
///
/// A slow reader gets only the latest poke: while the connection cannot take more, pokes replace each other.
/// A new request on the connection ends the stream first, so that responses stay in order.
final class EventStreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let mark = HTTPField.Name("Accord-Event-Stream")!

    private let notifier: ChangeNotifier
    private let access: AccessCache
    private let heads: HeadCache
    /// A stream about to open: its organization, the head its first event told, and whose access it lives on.
    struct Opening {
        var org: UUID
        var head: Int64
        var holder: StreamRegistry.Holder
        /// The notifier's access generation from before the access was checked.
        var checkedAt: UInt64
    }

    /// A request this handler answers itself; its parts are not passed on, and its end opens the stream.
    private var answering: Opening?
    /// The marked response on its way out, whose end opens the stream.
    private var opening: Opening?
    private var subscription: (org: UUID, id: UUID)?
    /// The latest poke the connection could not take yet.
    private var held: SyncEvent?
    /// Whether this connection has carried a stream: then it serves nothing after, and closing either half closes it.
    private var streamed = false

    init(notifier: ChangeNotifier, access: AccessCache, heads: HeadCache) {
        self.notifier = notifier
        self.access = access
        self.heads = heads
    }

    static func mark(org: UUID, head: Int64, identity: Identity, checkedAt: UInt64) -> String {
        let expiry = identity.expiresAt.map { String(Int64($0.timeIntervalSince1970.rounded(.up))) } ?? "-"
        return [org.uuidString, String(head), identity.userID.uuidString, identity.tokenID.uuidString, expiry, String(checkedAt)]
            .joined(separator: ":")
    }

    private static func opening(fromMark value: String) -> Opening? {
        let parts = value.split(separator: ":").map(String.init)
        guard parts.count == 6, let org = UUID(uuidString: parts[0]), let head = Int64(parts[1]),
            let user = UUID(uuidString: parts[2]), let token = UUID(uuidString: parts[3]), let checkedAt = UInt64(parts[5])
        else { return nil }
        let expiresAt = Int64(parts[4]).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        return Opening(org: org, head: head, holder: StreamRegistry.Holder(user: user, token: token, expiresAt: expiresAt), checkedAt: checkedAt)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            if let value = response.headerFields[Self.mark] {
                response.headerFields[Self.mark] = nil
                opening = Self.opening(fromMark: value)
                context.write(wrapOutboundOut(.head(response)), promise: promise)
                return
            }
        case .end:
            if let stream = opening {
                opening = nil
                // Hummingbird's part of the response is done; the stream's end is written when it ends.
                promise?.succeed(())
                open(stream, context: context)
                return
            }
        case .body:
            break
        }
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if subscription != nil { end(context: context) }
            if let known = known(request) {
                answering = known
                return
            }
        case .body:
            if answering != nil { return }
        case .end:
            if let stream = answering {
                answering = nil
                answer(stream, context: context)
                return
            }
        }
        context.fireChannelRead(data)
    }

    /// The stream a `GET /v1/orgs/:org/sync/events` would open, when the caches can answer it and the limits
    /// allow it; otherwise nil, and the route answers.
    private func known(_ request: HTTPRequest) -> Opening? {
        guard request.method == .get, let path = request.path?.split(separator: "?", maxSplits: 1).first else { return nil }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 6, segments[0].isEmpty, segments[1] == "v1", segments[2] == "orgs", segments[4] == "sync",
            segments[5] == "events", request.headerFields[.connection]?.lowercased() != "close"
        else { return nil }
        if let stated = request.headerFields[AccordAPI.protocolHeader] {
            guard let version = Int(stated), SyncProtocol.supportedVersions.contains(version) else { return nil }
        }
        guard let authorization = request.headerFields[.authorization], authorization.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(authorization.dropFirst("bearer ".count))
        let checkedAt = access.generation
        guard token.hasPrefix(SecretToken.scheme), let identity = access.identity(forTokenHash: SecretToken(value: token).hash),
            identity.expiresAt.map({ $0 > Date() }) ?? true,
            let membership = access.access(String(segments[3]), user: identity.userID),
            let head = heads.head(of: membership.organization.id), notifier.streams.admits(identity.userID)
        else { return nil }
        let holder = StreamRegistry.Holder(user: identity.userID, token: identity.tokenID, expiresAt: identity.expiresAt)
        return Opening(org: membership.organization.id, head: head.seq, holder: holder, checkedAt: checkedAt)
    }

    /// Answers a request the caches knew as the route would, and opens its stream.
    private func answer(_ stream: Opening, context: ChannelHandlerContext) {
        var headers = AccordAPI.headers(contentType: "text/event-stream")
        headers[.cacheControl] = "no-cache"
        headers[.requestID] = RequestID().description
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(ByteBuffer(string: "retry: 2000\n\n" + AccordAPI.sse(.poke(stream.head))))), promise: nil)
        open(stream, context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let event = held {
            held = nil
            send(event, context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    /// Hummingbird ends a connection by closing its input and then its output, and waits for the channel to close.
    /// A connection whose response this handler held open closes whole at the first of those, so that neither
    /// the server's shutdown nor a client that went away leaves it half open.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard streamed, mode != .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        end(context: context)
        context.close(mode: .all, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if streamed, let event = event as? ChannelEvent, event == .inputClosed {
            end(context: context)
            context.close(mode: .all, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let (org, id) = subscription {
            subscription = nil
            notifier.unsubscribe(id, from: org)
        }
        context.fireChannelInactive()
    }

    private func open(_ stream: Opening, context: ChannelHandlerContext) {
        streamed = true
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let sink = StreamRegistry.Sink(
            send: { event in bound.eventLoop.execute { bound.value.handler.send(event, context: bound.value.context) } },
            end: { bound.eventLoop.execute { bound.value.handler.end(context: bound.value.context) } }
        )
        subscription = (stream.org, notifier.subscribe(to: stream.org, openedAt: stream.head, holder: stream.holder, checkedAt: stream.checkedAt, sink: sink))
    }

    private func send(_ event: SyncEvent, context: ChannelHandlerContext) {
        guard subscription != nil else { return }
        guard context.channel.isWritable else {
            // A poke supersedes the pokes and keepalives before it; a keepalive never replaces a poke.
            if case .poke = event { held = event } else if held == nil { held = event }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(ByteBuffer(string: AccordAPI.sse(event)))), promise: nil)
    }

    /// Ends the stream's response; the connection stays open for another request.
    private func end(context: ChannelHandlerContext) {
        guard let (org, id) = subscription else { return }
        subscription = nil
        held = nil
        notifier.unsubscribe(id, from: org)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
