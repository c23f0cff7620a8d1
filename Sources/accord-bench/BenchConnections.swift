import AccordCore
import AccordServer
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO

let benchLogger: Logger = {
    var logger = Logger(label: "accord.bench")
    logger.logLevel = .error
    return logger
}()

/// The parts of the HTTP API the benchmarks use besides sync: accounts, organizations, and a bare round trip.
struct BenchAPI: Sendable {
    let server: URL

    func signup(_ email: String) async throws -> String {
        let issued: IssuedToken = try await send(
            "POST", "v1/auth/signup", body: SignupRequest(email: email, password: "benchmark password 1", name: "Bench")
        )
        return issued.token
    }

    func createOrganization(_ slug: String, token: String) async throws -> UUID {
        let organization: Organization = try await send(
            "POST", "v1/orgs", token: token, body: CreateOrganizationRequest(name: slug, slug: slug)
        )
        return organization.id
    }

    /// Creates a record over REST, as a person would.
    func create(_ collection: String, _ fields: RecordFields, org: UUID, token: String) async throws -> UUID {
        let record: RecordResponse = try await send("POST", "v1/orgs/\(org.lowercasedText)/records/\(collection)", token: token, body: fields)
        return record.id
    }

    /// Streams a CSV file to the measurement import and waits until it is applied: what a nightly pipeline does.
    func importMeasurements(_ file: URL, org: UUID, token: String) async throws -> ImportReport {
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let chunks = AsyncThrowingStream<ByteBuffer, any Error> {
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            return ByteBuffer(bytes: data)
        }
        var request = HTTPClientRequest(url: server.appendingPathComponent("v1/orgs/\(org.lowercasedText)/measurements/import").absoluteString + "?format=csv")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/csv")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .stream(chunks, length: .known(Int64(size)))
        let response = try await HTTPClient.shared.execute(request, timeout: .hours(1))
        let data = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw BenchError("the import answered \(response.status): \(String(buffer: data).prefix(2_000))") }
        return try SyncCoding.decoder().decode(ImportReport.self, from: Data(data.readableBytesView))
    }

    /// The baseline for latency: one request the server answers without touching the database.
    func roundTrip() async throws {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.appendingPathComponent("health").absoluteString), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else { throw BenchError("GET /health answered \(response.status)") }
    }

    private func send<Body: Encodable, Result: Decodable>(_ method: String, _ path: String, token: String? = nil, body: Body) async throws -> Result {
        var request = HTTPClientRequest(url: server.appendingPathComponent(path).absoluteString)
        request.method = .init(rawValue: method)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw BenchError("\(method) \(path) answered \(response.status): \(String(buffer: data))")
        }
        return try SyncCoding.decoder().decode(Result.self, from: Data(data.readableBytesView))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Direct PostgreSQL access for setup and the baselines, as the cluster's superuser.
enum BenchDatabase {
    static func configuration(_ url: String) throws -> PostgresConnection.Configuration {
        let endpoint = try DatabaseEndpoint(url: url)
        switch endpoint.address {
        case .tcp(let host, let port, _):
            return PostgresConnection.Configuration(
                host: host, port: port, username: endpoint.username, password: endpoint.password, database: endpoint.database, tls: .disable
            )
        case .socket(let path):
            return .init(unixSocketPath: path, username: endpoint.username, password: endpoint.password, database: endpoint.database)
        }
    }

    static func withConnection<Result>(_ url: String, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try configuration(url), id: 1, logger: benchLogger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func execute(_ url: String, _ statements: [String]) async throws {
        try await withConnection(url) { connection in
            for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: benchLogger) }
        }
    }

    /// `url` with another database name and, optionally, another user.
    static func url(_ url: String, database: String, user: String? = nil) throws -> String {
        guard var components = URLComponents(string: url) else { throw BenchError("not a database URL: \(url)") }
        components.path = "/" + database
        if let user { components.user = user; components.password = nil }
        return components.string ?? url
    }
}
