import Crypto
import Foundation
import HTTPTypes
import Logging
import Hummingbird

/// The web app's sign-in: the session token lives in an `HttpOnly`, `SameSite=Lax` cookie scoped to `/app`,
/// the same tokens the API accepts as bearer tokens (revoked on sign-out, listed by `GET /v1/tokens`).
///
/// Every form carries a CSRF token derived from the session's secret, which a page of another site can
/// neither read nor compute; the sign-in form, which has no session yet, pairs a random cookie with a
/// hidden field of the same value instead.
enum WebSession {
    static let cookie = "accord_session"
    static let signInCookie = "accord_signin"
    static let csrfField = "_csrf"
    static let path = "/app"

    /// The CSRF token of the session whose secret is `secret`.
    static func csrfToken(forSession secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("accord web form".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64URLEncoded
    }

    /// A fresh random value for the sign-in form's cookie and hidden field.
    static func signInNonce() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64URLEncoded
    }

    /// Whether two tokens are the same, in time that does not depend on where they differ.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given, given.utf8.count == expected.utf8.count else { return false }
        return zip(given.utf8, expected.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A cookie of the web app: `HttpOnly`, `SameSite=Lax`, scoped to `/app`, and `Secure` when the request
    /// came over TLS. `maxAge` 0 removes it.
    static func cookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true, sameSite: .lax)
    }
}

extension AccordAPI {
    /// Whether the request reached the server over TLS: always when configured so, else when a trusted proxy
    /// says so; a client talking to the server directly cannot claim it.
    func arrivedOverTLS(_ request: Request) -> Bool {
        if configuration.secureCookies { return true }
        guard configuration.trustedProxyHeader != nil, let name = HTTPField.Name("X-Forwarded-Proto") else { return false }
        return request.headers[values: name].last?.lowercased() == "https"
    }
}

/// Establishes the signed-in user of `/app` pages from the session cookie; a page asked for without one
/// sends the browser to the sign-in page, which comes back to it afterwards.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = AccordRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = request.cookies[WebSession.cookie]?.value,
              let identity = try await accounts.identity(forToken: secret, logger: context.logger) else {
            guard request.method == .get || request.method == .head else {
                throw APIError(.unauthorized, code: "signed_out", message: "Your session has ended, so nothing was saved. Sign in again and repeat the change.")
            }
            let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return .redirect(to: "/app/sign-in?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/app"))
        }
        var context = context
        context.identity = identity
        context.webSession = secret
        context.logger[metadataKey: "user"] = "\(identity.userID)"
        if request.method == .post {
            let form = try await request.webForm(context: context)
            guard WebSession.matches(form[WebSession.csrfField], WebSession.csrfToken(forSession: secret)) else {
                throw APIError(.forbidden, code: "csrf", message: "This form was not sent from an Accord page, so nothing was changed. Reload the page and try again.")
            }
            context.form = form
        }
        return try await next(request, context)
    }
}

extension Data {
    /// Base64 for URLs and cookies: `-` and `_`, no padding.
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
