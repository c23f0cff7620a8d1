import AccordCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The web app's pages on the demo data, as a signed-in consultant opens them; each sample is followed by
/// the API's JSON of the same content where there is one, so the table shows what rendering HTML adds.
enum WebJobs {
    static let password = "accord-demo-password"
    static let email = "dana@northwind.example"

    struct Page {
        var name: String
        var path: String
        /// The API's answer with the same content, when there is one.
        var api: String?
    }

    static func pages(_ job: Job) async throws -> JobResult {
        let client = WebClient(server: job.serverURL)
        let token = try await client.apiToken(email: email, password: password)
        let cookie = try await client.signIn(email: email, password: password)
        let pages = try await demoPages(client, token: token)
        var result = JobResult()
        var perPage: [String: [Double]] = [:]
        Memory.resetPeak()
        for _ in 0..<job.count {
            for page in pages {
                let (elapsed, bytes) = try await client.get(page.path, cookie: cookie)
                result.seconds.append(elapsed)
                perPage[page.name, default: []].append(elapsed)
                result.counts["bytes:\(page.name)"] = bytes
                if let api = page.api { result.baseline.append(try await client.get(api, token: token).seconds) }
            }
        }
        for (name, samples) in perPage { result.counts["p50us:\(name)"] = Int(Summary(samples).median * 1_000_000) }
        result.peakRSS = Memory.peakRSS()
        return result
    }

    /// Every kind of page, on the demo's first client organization.
    private static func demoPages(_ client: WebClient, token: String) async throws -> [Page] {
        let org = "/v1/orgs/acme"
        let dashboards: RecordPage = try await client.json("\(org)/records/dashboards", token: token)
        let decisions: [DecisionEntry] = try await client.json("\(org)/decisions", token: token)
        let reviews: [ReviewView] = try await client.json("\(org)/reviews", token: token)
        let versions: [VersionView] = try await client.json("\(org)/definitions/MQL/versions", token: token)
        guard let dashboard = dashboards.records.first?.id.lowercasedText, let decision = decisions.first?.id.lowercasedText,
              let review = reviews.first?.id.lowercasedText, let first = versions.first?.version else {
            throw BenchError("the demo organization lacks a dashboard, decision, review or definition version")
        }
        let app = "/app/orgs/acme"
        return [
            Page(name: "portfolio", path: "/app", api: "/v1/me/portfolio"),
            Page(name: "home", path: app, api: "\(org)/inbox"),
            Page(name: "dashboard", path: "\(app)/dashboards/\(dashboard)", api: "\(org)/dashboards/\(dashboard)/view"),
            Page(name: "kpis", path: "\(app)/kpis"),
            Page(name: "kpi", path: "\(app)/kpis/new_arr"),
            Page(name: "definitions", path: "\(app)/definitions", api: "\(org)/definitions"),
            Page(name: "definition", path: "\(app)/definitions/MQL", api: "\(org)/definitions/MQL"),
            Page(name: "diff", path: "\(app)/definitions/MQL/diff?from=\(first)", api: "\(org)/definitions/MQL/diff?from=\(first)"),
            Page(name: "decisions", path: "\(app)/decisions", api: "\(org)/decisions"),
            Page(name: "decision", path: "\(app)/decisions/\(decision)"),
            Page(name: "reviews", path: "\(app)/reviews", api: "\(org)/reviews"),
            Page(name: "review", path: "\(app)/reviews/\(review)", api: "\(org)/reviews/\(review)"),
            Page(name: "alignment", path: "\(app)/alignment", api: "\(org)/alignment"),
            Page(name: "packs", path: "\(app)/packs", api: "\(org)/packs/drift"),
        ]
    }
}

/// HTTP as a browser (a session cookie) and as the API's clients (a bearer token) use it.
struct WebClient {
    let server: URL

    func get(_ path: String, cookie: String? = nil, token: String? = nil) async throws -> (seconds: Double, bytes: Int) {
        var request = HTTPClientRequest(url: server.absoluteString + path)
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let start = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        let elapsed = ContinuousClock.now - start
        guard response.status == .ok else { throw BenchError("GET \(path) answered \(response.status): \(String(buffer: body).prefix(300))") }
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, body.readableBytes)
    }

    func json<T: Decodable>(_ path: String, token: String) async throws -> T {
        var request = HTTPClientRequest(url: server.absoluteString + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw BenchError("GET \(path) answered \(response.status)") }
        return try SyncCoding.decoder().decode(T.self, from: Data(body.readableBytesView))
    }

    func apiToken(email: String, password: String) async throws -> String {
        var request = HTTPClientRequest(url: server.absoluteString + "/v1/auth/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(LoginRequest(email: email, password: password))))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchError("login answered \(response.status)") }
        return try SyncCoding.decoder().decode(IssuedToken.self, from: Data(body.readableBytesView)).token
    }

    /// Signs in through the sign-in form, as a browser does, and returns the session cookie.
    func signIn(email: String, password: String) async throws -> String {
        let form = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.absoluteString + "/app/sign-in"), timeout: .seconds(60))
        _ = try await form.body.collect(upTo: 1 << 20)
        guard let nonce = Self.cookie("accord_signin", in: form.headers) else { throw BenchError("the sign-in page set no cookie") }
        var request = HTTPClientRequest(url: server.absoluteString + "/app/sign-in")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: "accord_signin=\(nonce)")
        let fields = ["_csrf": nonce, "email": email, "password": password]
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        // The answer is a redirect whose cookie is the point, so it is not followed.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let response = try await client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard let session = Self.cookie("accord_session", in: response.headers) else { throw BenchError("signing in answered \(response.status) without a session") }
        return "accord_session=\(session)"
    }

    private static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        headers["Set-Cookie"].lazy.compactMap { header -> String? in
            let pair = header.split(separator: ";").first?.split(separator: "=", maxSplits: 1) ?? []
            return pair.count == 2 && pair[0] == name ? String(pair[1]) : nil
        }.first
    }
}
