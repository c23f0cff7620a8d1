public import AccordCore
import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP API of one Accord server, as one user.
public struct ServerConnection: Sendable {
    public let server: URL
    let token: String?
    let timeout: TimeAmount = .seconds(30)

    public init(server: URL, token: String? = nil) {
        self.server = server
        self.token = token
    }

    public func login(email: String, password: String) async throws -> IssuedToken {
        try await send(.POST, "v1/auth/login", body: LoginRequest(email: email, password: password))
    }

    public func signup(email: String, password: String, name: String) async throws -> IssuedToken {
        try await send(.POST, "v1/auth/signup", body: SignupRequest(email: email, password: password, name: name))
    }

    public func members(of organization: String) async throws -> [Member] {
        try await send(.GET, "v1/orgs/\(organization)/members", body: Optional<String>.none)
    }

    /// Invites an email address to an organization (owners and admins); its account joins on accepting.
    @discardableResult
    public func invite(_ email: String, role: MemberRole, teams: [String]? = nil, to organization: String) async throws -> Invitation {
        try await send(.POST, "v1/orgs/\(organization)/invitations", body: AddMemberRequest(email: email, role: role, teams: teams))
    }

    /// The invitations waiting for this account.
    public func invitations() async throws -> [Invitation] {
        try await send(.GET, "v1/me/invitations", body: Optional<String>.none)
    }

    /// Joins the organization an invitation is for.
    public func acceptInvitation(_ id: UUID) async throws -> Membership {
        try await send(.POST, "v1/me/invitations/\(id.lowercasedText)/accept", body: Optional<String>.none)
    }

    public func declineInvitation(_ id: UUID) async throws {
        let _: Empty = try await send(.POST, "v1/me/invitations/\(id.lowercasedText)/decline", body: Optional<String>.none)
    }

    /// Removes a member; their replicas of the organization are purged on their next sync.
    public func removeMember(_ user: UUID, from organization: String) async throws {
        let _: Empty = try await send(.DELETE, "v1/orgs/\(organization)/members/\(user.uuidString.lowercased())", body: Optional<String>.none)
    }

    /// Who changed a record, when, and from what to what, newest last.
    public func history(of collection: String, _ id: UUID, in organization: String) async throws -> RecordHistory {
        try await send(.GET, "v1/orgs/\(organization)/records/\(collection)/\(id.lowercasedText)/history", body: Optional<String>.none)
    }

    /// A page of the organization's change log, newest first, filtered by `query` (collection, record, actor,
    /// since, until, before, limit).
    public func audit(in organization: String, query: [String: String]) async throws -> AuditPage {
        var components = URLComponents()
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let suffix = query.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? "")
        return try await send(.GET, "v1/orgs/\(organization)/audit" + suffix, body: Optional<String>.none)
    }

    public func me() async throws -> MeResponse {
        try await send(.GET, "v1/me", body: Optional<String>.none)
    }

    public func logout() async throws {
        let _: Empty = try await send(.POST, "v1/auth/logout", body: Optional<String>.none)
    }

    private struct Empty: Decodable {}

    /// The few words of a transport error that a person needs.
    static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        for known in ["Connection refused", "No route to host", "Network is unreachable", "Name or service not known"]
        where text.contains(known) {
            return known.lowercased()
        }
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .connectTimeout { return "timed out" }
        return text
    }

    /// One client for the process. A refused connection fails at once instead of being retried until the
    /// deadline: the caller decides about retries, and a person at a terminal should not wait 30 seconds.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    private func send<Body: Encodable, Result: Decodable>(_ method: HTTPMethod, _ path: String, body: Body?) async throws -> Result {
        // The query is kept apart: appending it as a path component would escape its `?`.
        let parts = path.split(separator: "?", maxSplits: 1)
        let query = parts.count == 2 ? "?" + parts[1] : ""
        var request = HTTPClientRequest(url: server.appendingPathComponent(String(parts[0])).absoluteString + query)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await Self.httpClient.execute(request, timeout: timeout)
        } catch {
            throw ClientError.serverUnreachable(server.absoluteString, Self.reason(error))
        }
        let data = Data((try await response.body.collect(upTo: 64 << 20)).readableBytesView)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard (200..<300).contains(Int(response.status.code)) else {
            guard let error = try? decoder.decode(ErrorBody.self, from: data) else {
                throw ClientError.unexpectedResponse("HTTP \(response.status.code)")
            }
            throw ClientError.server(status: Int(response.status.code), code: error.error.code, message: error.error.message)
        }
        if Result.self == Empty.self, data.isEmpty { return Empty() as! Result }
        do {
            return try decoder.decode(Result.self, from: data)
        } catch {
            throw ClientError.unexpectedResponse("\(error)")
        }
    }
}
