import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The web app's session cookie and its protection against forged forms.
@Suite struct WebSessionTests {
    /// A signed-in browser: its session cookie, and the CSRF token its pages' forms carry.
    struct Browser {
        var cookie: String
        var csrf: String
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in through the sign-in form, as a browser does, and reads a page for its CSRF token.
    static func signIn(_ server: TestServer, _ email: String, password: String = "correct horse battery") async throws -> (Browser, TestResponse) {
        let form = try await server.client.execute(uri: "/app/sign-in", method: .get, headers: [:], body: nil)
        let nonce = try #require(cookie(WebCookie.signIn, in: form))
        var headers = formType
        headers[.cookie] = "\(WebCookie.signIn)=\(nonce.value)"
        let posted = try await server.client.execute(
            uri: "/app/sign-in", method: .post, headers: headers, body: Self.form(["_csrf": nonce.value, "email": email, "password": password, "next": "/app"])
        )
        let session = try #require(cookie(WebCookie.session, in: posted), "signed in: \(posted.status)")
        let page = try await server.client.execute(uri: "/app", method: .get, headers: [.cookie: "\(WebCookie.session)=\(session.value)"], body: nil)
        let html = String(buffer: page.body)
        let token = try #require(html.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
        return (Browser(cookie: "\(WebCookie.session)=\(session.value)", csrf: String(token)), posted)
    }

    static func cookie(_ name: String, in response: TestResponse) -> SetCookie? {
        response.headers[values: .setCookie].map(SetCookie.init).first { $0.name == name }
    }

    @Test func theSessionCookieIsHttpOnlyLaxScopedToTheAppAndSecureOnlyBehindTLS() async throws {
        try await TestServer.with { server in
            _ = try await server.signup("web@example.com")
            let (_, posted) = try await Self.signIn(server, "web@example.com")
            #expect(posted.status == .seeOther)
            #expect(posted.headers[.location] == "/app")
            let session = try #require(Self.cookie(WebCookie.session, in: posted))
            #expect(session.httpOnly)
            #expect(session.sameSite == "Lax")
            #expect(session.path == "/app")
            #expect(!session.secure, "plain HTTP to the server itself: a Secure cookie would never come back")
            #expect(session.maxAge == 30 * 24 * 3600)
            // The cookie is a token the API knows: the session appears among the user's tokens, named for the web.
            let token = session.value
            let tokens = try await server.send(.get, "/v1/tokens", token: token).decode([TokenInfo].self)
            #expect(tokens.contains { $0.name == "web" && $0.current })
        }
        try await TestServer.with(adjust: { $0.trustedProxyHeader = "X-Forwarded-For" }) { server in
            _ = try await server.signup("tls@example.com")
            let form = try await server.client.execute(uri: "/app/sign-in", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"], body: nil)
            #expect(Self.cookie(WebCookie.signIn, in: form)?.secure == true, "behind a TLS proxy every cookie is Secure")
            let direct = try await server.client.execute(uri: "/app/sign-in", method: .get, headers: [:], body: nil)
            #expect(Self.cookie(WebCookie.signIn, in: direct)?.secure == false)
        }
        try await TestServer.with(adjust: { $0.secureCookies = true }) { server in
            let form = try await server.client.execute(uri: "/app/sign-in", method: .get, headers: [:], body: nil)
            #expect(Self.cookie(WebCookie.signIn, in: form)?.secure == true)
        }
    }

    @Test func aFormWithoutItsTokenChangesNothing() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            _ = try await server.createOrganization("Tokens", slug: "tokens", token: owner)
            let (browser, _) = try await Self.signIn(server, "owner@example.com")
            func openReview(_ fields: [String: String]) async throws -> TestResponse {
                var headers = Self.formType
                headers[.cookie] = browser.cookie
                return try await server.client.execute(uri: "/app/orgs/tokens/reviews", method: .post, headers: headers, body: Self.form(fields))
            }
            for forged in [["cadence": "monthly"], ["cadence": "monthly", "_csrf": "forged"], ["cadence": "monthly", "_csrf": String(browser.csrf.dropLast())]] {
                let refused = try await openReview(forged)
                #expect(refused.status == .forbidden)
                #expect(String(buffer: refused.body).contains("not sent from an Accord page"))
            }
            let reviews = try await server.send(.get, "/v1/orgs/tokens/reviews", token: owner).decode([ReviewView].self)
            #expect(reviews.isEmpty, "no forged form opened a review")
            let accepted = try await openReview(["cadence": "monthly", "_csrf": browser.csrf])
            #expect(accepted.status == .seeOther)
            #expect(try await server.send(.get, "/v1/orgs/tokens/reviews", token: owner).decode([ReviewView].self).count == 1)
        }
    }

    @Test func theSignInFormNeedsItsOwnCookieAndSignOutEndsTheSession() async throws {
        try await TestServer.with { server in
            _ = try await server.signup("login@example.com")
            let forged = try await server.client.execute(
                uri: "/app/sign-in", method: .post, headers: Self.formType,
                body: Self.form(["_csrf": "made-up", "email": "login@example.com", "password": "correct horse battery"])
            )
            #expect(forged.status == .forbidden, "a sign-in posted from another site is refused")
            #expect(Self.cookie(WebCookie.session, in: forged) == nil)

            let (browser, _) = try await Self.signIn(server, "login@example.com")
            var headers = Self.formType
            headers[.cookie] = browser.cookie
            let out = try await server.client.execute(uri: "/app/sign-out", method: .post, headers: headers, body: Self.form(["_csrf": browser.csrf]))
            #expect(out.status == .seeOther)
            #expect(Self.cookie(WebCookie.session, in: out)?.maxAge == 0)
            let after = try await server.client.execute(uri: "/app", method: .get, headers: [.cookie: browser.cookie], body: nil)
            #expect(after.status == .seeOther, "the revoked session no longer opens pages")
            #expect(after.headers[.location]?.hasPrefix("/app/sign-in") == true)
        }
    }

    @Test func aWrongPasswordShowsTheFormAgainAndNextStaysOnTheApp() async throws {
        try await TestServer.with { server in
            _ = try await server.signup("wrong@example.com")
            let form = try await server.client.execute(uri: "/app/sign-in?next=//evil.example/", method: .get, headers: [:], body: nil)
            #expect(String(buffer: form.body).contains(#"name="next" value="/app""#), "a return address off the app is dropped")
            let nonce = try #require(Self.cookie(WebCookie.signIn, in: form))
            var headers = Self.formType
            headers[.cookie] = "\(WebCookie.signIn)=\(nonce.value)"
            let wrong = try await server.client.execute(
                uri: "/app/sign-in", method: .post, headers: headers, body: Self.form(["_csrf": nonce.value, "email": "wrong@example.com", "password": "nope"])
            )
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("The email or password is wrong."))
            #expect(!String(buffer: wrong.body).contains("nope"), "the password is not echoed back")
        }
    }
}

/// A `Set-Cookie` header as a browser reads it.
struct SetCookie {
    var name: String
    var value: String
    var attributes: [String: String]

    init(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let pair = parts.first?.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false) ?? []
        name = pair.first.map(String.init) ?? ""
        value = pair.count > 1 ? String(pair[1]) : ""
        attributes = Dictionary(parts.dropFirst().map { part in
            let attribute = part.split(separator: "=", maxSplits: 1)
            return (attribute[0].lowercased(), attribute.count > 1 ? String(attribute[1]) : "")
        }) { first, _ in first }
    }

    var httpOnly: Bool { attributes["httponly"] != nil }
    var secure: Bool { attributes["secure"] != nil }
    var sameSite: String? { attributes["samesite"] }
    var path: String? { attributes["path"] }
    var maxAge: Int? { attributes["max-age"].flatMap { Int($0) } }
}

/// The cookie names, as a browser sees them.
enum WebCookie {
    static let session = "accord_session"
    static let signIn = "accord_signin"
}
