import AccordCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension AccordAPI {
    func addSyncRoutes(to v1: RouterGroup<Context>) {
        v1.post("orgs/:org/sync/push") { request, context -> Response in
            try Self.checkProtocol(request)
            try checkFields(request)
            let push = try await request.decodeJSON(as: PushRequest.self, context: context)
            let (response, org) = try await inOrganization(request, context) { tx, access in
                (try await applier.push(push, access: access, in: tx), access.organization.id)
            }
            heads.advance(org, to: response.head)
            return try Self.json(response)
        }
        v1.get("orgs/:org/sync/pull") { request, context -> Response in
            try Self.checkProtocol(request)
            try checkFields(request)
            let since = try Self.integer("since", in: request, default: 0, range: 0...Int64.max)
            let limit = try Self.integer("limit", in: request, default: Int64(SyncProtocol.defaultPullLimit), range: 1...Int64(SyncProtocol.maxPullLimit))
            let epoch = try request.uri.queryParameters.get("epoch").map { text in
                guard let epoch = UUID(uuidString: String(text)) else {
                    throw APIError.invalid(FieldError(field: "epoch", message: "must be the epoch UUID a previous pull or snapshot returned"))
                }
                return epoch
            }
            let reference = try context.parameters.require("org")
            let identity = try context.requireIdentity()
            if let access = organizations.cachedAccess(reference, as: identity), let head = heads.head(of: access.organization.id),
               since == head.seq, epoch == nil || epoch == head.epoch {
                return Self.pullResponse(try SyncLog.upToDatePage(head))
            }
            let ticket = heads.ticket()
            let page = try await organizations.inOrganization(reference, as: identity, isolation: .repeatableReadOnly, logger: context.logger) { tx, access in
                try await syncLog.pull(since: since, limit: Int(limit), epoch: epoch, org: access.organization.id, in: tx, cache: heads, ticket: ticket)
            }
            return Self.pullResponse(page)
        }
        v1.get("orgs/:org/sync/snapshot") { request, context -> Response in
            try Self.checkProtocol(request)
            try checkFields(request)
            let identity = try context.requireIdentity()
            let reference = try context.parameters.require("org")
            // Membership is checked before the response starts, so a non-member gets a proper 404.
            _ = try await inOrganization(request, context) { _, access in access.organization.id }
            let pass = try snapshotGate.enter()
            let organizations = organizations
            let logger = context.logger
            let body = ResponseBody { writer in
                try await organizations.inOrganization(reference, as: identity, isolation: .repeatableReadOnly, logger: logger) { tx, access in
                    try await SnapshotStreamer(catalog: catalog).stream(org: access.organization.id, in: tx, timeLimit: pass.gate.timeLimit, to: &writer)
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: Self.headers(contentType: "application/x-ndjson"), body: body)
        }
        v1.get("orgs/:org/sync/events") { request, context -> Response in
            try Self.checkProtocol(request)
            let (org, head) = try await currentHead(request, context)
            let identity = try context.requireIdentity()
            try notifier.streams.admit(identity.userID)
            // `EventStreamHandler` keeps the response open after this first event and writes the ones that follow.
            var headers = Self.headers(contentType: "text/event-stream")
            headers[.cacheControl] = "no-cache"
            headers[EventStreamHandler.mark] = EventStreamHandler.mark(org: org, head: head, identity: identity, checkedAt: context.accessGeneration)
            let first = ByteBuffer(string: "retry: 2000\n\n" + Self.sse(.poke(head)))
            // A streamed body, so the response has no length and can go on.
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(first)
                try await writer.finish(nil)
            })
        }
    }

    /// The organization the request names and its head, from the caches when they know both: a storm of
    /// reconnecting streams then costs the database nothing.
    func currentHead(_ request: Request, _ context: Context) async throws -> (org: UUID, head: Int64) {
        let reference = try context.parameters.require("org")
        if let access = organizations.cachedAccess(reference, as: try context.requireIdentity()),
           let head = heads.head(of: access.organization.id) {
            return (access.organization.id, head.seq)
        }
        let ticket = heads.ticket()
        return try await inOrganization(request, context) { tx, access in
            let head = try await syncLog.head(org: access.organization.id, in: tx)
            heads.offer(head, of: access.organization.id, ticket: ticket)
            return (access.organization.id, head.seq)
        }
    }

    static func pullResponse(_ page: ByteBuffer) -> Response {
        Response(status: .ok, headers: headers(contentType: "application/json"), body: .init(byteBuffer: page))
    }

    static func sse(_ event: SyncEvent) -> String {
        switch event {
        case .poke(let seq): "id: \(seq)\nevent: poke\ndata: {\"seq\":\(seq)}\n\n"
        case .keepalive: ": keepalive\n\n"
        }
    }

    /// A client that states a protocol version this server does not serve is told so plainly.
    static func checkProtocol(_ request: Request) throws {
        guard let stated = request.headers[protocolHeader] else { return }
        guard let version = Int(stated), SyncProtocol.supportedVersions.contains(version) else {
            let served = SyncProtocol.supportedVersions.map(String.init).joined(separator: ", ")
            throw APIError(
                .badRequest, code: "protocol_unsupported",
                message: "This server speaks sync protocol \(served) and the client speaks \(stated); update the client (or the server) so they match.",
                details: ["supported": served], headers: [protocolHeader: served]
            )
        }
    }

    static let protocolHeader = HTTPField.Name(SyncProtocol.versionHeader)!
    static let fieldsHeader = HTTPField.Name(SyncProtocol.fieldsHeader)!

    /// A client that does not know fields this server's collections have would drop their values from its
    /// replica, and its checksums would never match: it is told to update instead.
    func checkFields(_ request: Request) throws {
        guard let declared = request.headers[Self.fieldsHeader] else { return }
        let unknown = catalog.fieldsUnknown(to: declared)
        guard !unknown.isEmpty else { return }
        let missing = unknown.keys.sorted().map { "\($0) (\(unknown[$0]!.joined(separator: ", ")))" }.joined(separator: "; ")
        throw APIError(
            .badRequest, code: "client_outdated",
            message: "This client does not know fields the server's collections have: \(missing). Update the client to a version that knows them, then sync again; changes made meanwhile stay queued.",
            details: ["needs": catalog.declaredFields]
        )
    }

    static func headers(contentType: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: contentType]
        headers[protocolHeader] = String(SyncProtocol.version)
        return headers
    }

    static func json(_ value: some Encodable) throws -> Response {
        let body = try SyncCoding.encoder().encode(value)
        return Response(status: .ok, headers: headers(contentType: "application/json"), body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func integer(_ name: String, in request: Request, default value: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw APIError.invalid(FieldError(field: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
        }
        return number
    }
}
