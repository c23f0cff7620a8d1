import AccordClient
import AccordCore
import AccordServer
import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Hummingbird
import ServiceLifecycle
import Synchronization
import Testing

/// An Accord server listening on a free loopback port, in this process, that a test can stop and start
/// again on the same database.
final class LiveServer: Sendable {
    let database: TestDatabase
    /// Changes to the test configuration, such as a smaller body limit.
    let tune: @Sendable (inout ServerConfiguration) -> Void
    private let state = Mutex<(url: URL?, task: Task<Void, any Error>?, group: ServiceGroup?, server: AccordServer?)>((nil, nil, nil, nil))
    /// The collections it serves; a restart keeps them unless given others.
    private let served = Mutex<Catalog>(.builtIn)

    init(database: TestDatabase, tune: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in }) {
        self.database = database
        self.tune = tune
    }

    /// How long a test waits for one answer: a deadline only a failure waits out, sized for a two-core machine
    /// running the whole suite (an import of thousands of rows there has taken over 30 seconds).
    static let requestDeadline: TimeAmount = .seconds(120)

    /// The client tests send requests with: the deadline above limits the wait for an answer, where the shared
    /// client would give up on one that sends nothing for 90 seconds first; the read timeout, just longer, limits
    /// the wait for the rest of a body once it has begun, which the deadline no longer covers.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(130))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    var url: URL { state.withLock { $0.url! } }
    var server: AccordServer { state.withLock { $0.server! } }

    static func with<Result: Sendable>(
        tune: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in }, catalog: Catalog = .builtIn,
        _ body: @Sendable (LiveServer) async throws -> Result
    ) async throws -> Result {
        try await TestDatabase.with { database in
            let live = LiveServer(database: database, tune: tune)
            try await live.start(catalog: catalog)
            do {
                let result = try await body(live)
                await live.stop()
                return result
            } catch {
                await live.stop()
                throw error
            }
        }
    }

    /// Runs `body` with another server instance on the same database, stopped afterwards.
    func withSecondInstance<Result: Sendable>(_ body: @Sendable (LiveServer) async throws -> Result) async throws -> Result {
        let second = LiveServer(database: database, tune: tune)
        try await second.start()
        do {
            let result = try await body(second)
            await second.stop()
            return result
        } catch {
            await second.stop()
            throw error
        }
    }

    func start(catalog: Catalog? = nil) async throws {
        var configuration = database.configuration()
        configuration.port = 0
        tune(&configuration)
        let catalog = served.withLock { served in
            if let catalog { served = catalog }
            return served
        }
        let server = try await AccordServer.prepare(configuration, catalog: catalog, logger: testLogger)
        let (listening, announce) = AsyncStream.makeStream(of: String.self)
        let application = server.application(onListening: { address in announce.yield(address) })
        // Stopped as SIGTERM stops the real one: gracefully, the HTTP server first, so requests in flight finish
        // while the database pool is still there; cancelled only if that takes a minute.
        var group = ServiceGroupConfiguration(services: [.init(service: application)], logger: testLogger)
        group.maximumGracefulShutdownDuration = .seconds(60)
        let services = ServiceGroup(configuration: group)
        // A server that stops before it listens ends the wait, so a failed start fails the test instead of hanging it.
        let task = Task {
            defer { announce.finish() }
            try await services.run()
        }
        var address: String?
        for await announced in listening {
            address = announced
            break
        }
        guard let address, let url = URL(string: address) else {
            if case .failure(let error) = await task.result { throw error }
            throw TestFailure("the server stopped before it listened")
        }
        state.withLock { $0 = (url, task, services, server) }
    }

    /// Stops the server and waits for it, for two minutes at most: a server that cannot shut down fails the test
    /// that stops it rather than hanging the whole run.
    func stop() async {
        guard let (task, services) = state.withLock({ state in state.task.map { ($0, state.group) } }) else { return }
        await services?.triggerGracefulShutdown()
        let waiting = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(nil)
        let stopped = await withCheckedContinuation { continuation in
            waiting.withLockedValue { $0 = continuation }
            Task {
                _ = await task.result
                waiting.withLockedValue { $0.take() }?.resume(returning: true)
            }
            Task {
                try? await Task.sleep(for: .seconds(120))
                waiting.withLockedValue { $0.take() }?.resume(returning: false)
            }
        }
        if !stopped { Issue.record("the server at \(url) did not shut down within two minutes of being asked") }
    }

    func restart() async throws {
        await stop()
        try await start()
    }

    /// Signs a user up and returns a token.
    func signup(_ email: String) async throws -> (token: String, user: UserSummary) {
        let issued: IssuedToken = try await request("POST", "v1/auth/signup", body: SignupRequest(email: email, password: "correct horse battery", name: email))
        return (issued.token, issued.user)
    }

    /// Signs `owner` up and creates the organization acme for them.
    func acme(owner: String) async throws -> (token: String, org: Organization) {
        let (token, _) = try await signup(owner)
        return (token, try await createOrganization("acme", token: token))
    }

    func createOrganization(_ slug: String, token: String) async throws -> Organization {
        try await request("POST", "v1/orgs", token: token, body: CreateOrganizationRequest(name: slug.capitalized, slug: slug))
    }

    /// Invites `email` and accepts as them: every test account has the same password.
    func addMember(_ email: String, role: MemberRole, to org: String, token: String) async throws {
        let invitation: Invitation = try await request("POST", "v1/orgs/\(org)/invitations", token: token, body: AddMemberRequest(email: email, role: role))
        let invitee: IssuedToken = try await request("POST", "v1/auth/login", body: LoginRequest(email: email, password: "correct horse battery"))
        let _: Membership = try await request("POST", "v1/me/invitations/\(invitation.id.uuidString)/accept", token: invitee.token, body: [String: String]())
    }

    func setRole(_ role: MemberRole, of user: UUID, in org: String, token: String) async throws {
        let _: Member = try await request("PATCH", "v1/orgs/\(org)/members/\(user.uuidString)", token: token, body: UpdateMemberRequest(role: role))
    }

    func setTeams(_ teams: [String], of user: UUID, in org: String, token: String) async throws {
        let _: Member = try await request("PATCH", "v1/orgs/\(org)/members/\(user.uuidString)", token: token, body: UpdateMemberRequest(teams: teams))
    }

    func removeMember(_ user: UUID, from org: String, token: String) async throws {
        var request = HTTPClientRequest(url: url.appendingPathComponent("v1/orgs/\(org)/members/\(user.uuidString)").absoluteString)
        request.method = .DELETE
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await Self.client.execute(request, timeout: Self.requestDeadline)
        guard response.status == .noContent || response.status == .ok else { throw TestFailure("remove member answered \(response.status)") }
    }

    /// The status and body `method path` answers for `token`, sending `json` as the body.
    func answer(_ method: String, _ path: String, token: String, json: String) async throws -> (status: Int, body: String) {
        // The query is kept apart: appending it as a path component would escape its `?`.
        let parts = path.split(separator: "?", maxSplits: 1)
        var request = HTTPClientRequest(url: url.appendingPathComponent(String(parts[0])).absoluteString + (parts.count == 2 ? "?" + parts[1] : ""))
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await Self.client.execute(request, timeout: Self.requestDeadline)
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The HTTP status `method path` answers for `token`.
    func status(_ method: String, _ path: String, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: url.appendingPathComponent(path).absoluteString)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await Self.client.execute(request, timeout: Self.requestDeadline)
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    private func request<Body: Encodable, Result: Decodable>(_ method: String, _ path: String, token: String? = nil, body: Body) async throws -> Result {
        var request = HTTPClientRequest(url: url.appendingPathComponent(path).absoluteString)
        request.method = .init(rawValue: method)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await Self.client.execute(request, timeout: Self.requestDeadline)
        let data = try await response.body.collect(upTo: 1 << 20)
        return try SyncCoding.decoder().decode(Result.self, from: Data(data.readableBytesView))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Catalog {
    /// The built-in collections without the members and teams the server writes for every organization, for
    /// tests of the sync engine that count seqs and records from an empty change log.
    static let withoutDirectory: Catalog = {
        do {
            return try Catalog([.notes, .conflicts])
        } catch {
            preconditionFailure("\(error)")
        }
    }()
}
