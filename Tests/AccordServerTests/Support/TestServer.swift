import PostgresNIO
import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A migrated server on a fresh database, driven through Hummingbird's router test client.
struct TestServer {
    let client: any TestClientProtocol
    let server: AccordServer
    let database: TestDatabase

    static func with(
        loginLimits: LoginLimits = LoginLimits(),
        maxBodySize: Int = 8 << 20,
        catalog: Catalog = .builtIn,
        adjust: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (TestServer) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database in
            var configuration = database.configuration(loginLimits: loginLimits, maxBodySize: maxBodySize)
            adjust(&configuration)
            let server = try await AccordServer.prepare(configuration, catalog: catalog, logger: testLogger)
            try await server.application().test(.router) { client in
                try await body(TestServer(client: client, server: server, database: database))
            }
        }
    }

    /// Sends `json` (already encoded when it is a String) with an optional bearer token.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: (any Encodable)? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let raw = json as? String {
            body = ByteBuffer(string: raw)
        } else if let json {
            body = ByteBuffer(bytes: try JSONEncoder().encode(json))
        }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    /// Signs a new user up and returns their session token and summary.
    func signup(_ email: String, name: String = "Test User") async throws -> (token: String, user: UserSummary) {
        let response = try await send(.post, "/v1/auth/signup", json: SignupRequest(email: email, password: "correct horse battery", name: name))
        #expect(response.status == .created, "signup of \(email): \(String(buffer: response.body))")
        let issued = try response.decode(IssuedToken.self)
        return (issued.token, issued.user)
    }

    /// Invites `request.email` to `org` as `token`'s user and accepts as the invitee (every test account has the
    /// same password): the accept's answer, or the invitation's when it was refused.
    @discardableResult
    func addMember(_ request: AddMemberRequest, to org: String, token: String) async throws -> TestResponse {
        let invited = try await send(.post, "/v1/orgs/\(org)/invitations", token: token, json: request)
        guard invited.status == .created else { return invited }
        let invitation = try invited.decode(Invitation.self)
        let login = try await send(.post, "/v1/auth/login", json: LoginRequest(email: request.email, password: "correct horse battery"))
        let invitee = try login.decode(IssuedToken.self).token
        return try await send(.post, "/v1/me/invitations/\(invitation.id.uuidString)/accept", token: invitee)
    }

    /// Creates an organization as `token`'s user and returns it.
    func createOrganization(_ name: String, slug: String, token: String) async throws -> Organization {
        let response = try await send(.post, "/v1/orgs", token: token, json: CreateOrganizationRequest(name: name, slug: slug))
        #expect(response.status == .created, "create \(slug): \(String(buffer: response.body))")
        return try response.decode(Organization.self)
    }
}

extension TestResponse {
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(body.readableBytesView))
    }

    /// The error body; fails the test when the response is not Accord's error shape.
    var error: ErrorBody.Payload {
        get throws { try decode(ErrorBody.self).error }
    }
}
