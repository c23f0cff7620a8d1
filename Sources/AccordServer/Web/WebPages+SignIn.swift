import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct SignInPage {
        struct Chrome {
            var title = "Sign in"
            var assets: String
        }

        var chrome: Chrome
        var nonce: String
        var next: String
        var email: String
        var error: String?
    }

    func addSignInRoutes(to app: RouterGroup<Context>) {
        app.get("sign-in") { request, _ -> Response in
            signInForm(next: request.uri.queryParameters["next"].map(String.init), email: "", error: nil, request: request)
        }
        app.post("sign-in") { request, context -> Response in
            let form = try await request.webForm(context: context)
            let next = Self.safeReturn(form["next"])
            guard let nonce = request.cookies[WebSession.signInCookie]?.value, WebSession.matches(form[WebSession.csrfField], nonce) else {
                return signInForm(next: next, email: form["email"] ?? "", error: "The sign-in form had expired; sign in again.", request: request, status: .forbidden)
            }
            let issued: IssuedToken
            do {
                issued = try await accounts.login(
                    email: form["email"] ?? "", password: form["password"] ?? "", address: clientAddress(of: request, context: context),
                    tokenName: "web", logger: context.logger
                )
            } catch let error as APIError where [.unauthorized, .tooManyRequests, .unprocessableContent].contains(error.status) {
                return signInForm(next: next, email: form["email"] ?? "", error: error.message, request: request, status: error.status)
            } catch is FieldError {
                return signInForm(next: next, email: form["email"] ?? "", error: "Enter the email address of your account, such as name@example.com.", request: request, status: .unprocessableContent)
            }
            // A session this browser held before ends: a sign-in never keeps a cookie it did not issue.
            if let old = request.cookies[WebSession.cookie]?.value, let identity = try? await accounts.identity(forToken: old, logger: context.logger) {
                try? await accounts.revokeToken(identity.tokenID, of: identity, logger: context.logger)
            }
            var response = Self.seeOther(next)
            let secure = arrivedOverTLS(request)
            response.setCookie(WebSession.cookie(WebSession.cookie, issued.token, maxAge: Int(AccountService.sessionLifetime.components.seconds), secure: secure))
            response.setCookie(WebSession.cookie(WebSession.signInCookie, "", maxAge: 0, secure: secure))
            return response
        }
    }

    func addSignOutRoute(to app: RouterGroup<Context>) {
        app.post("sign-out") { request, context -> Response in
            let identity = try context.requireIdentity()
            try await accounts.revokeToken(identity.tokenID, of: identity, logger: context.logger)
            var response = Self.seeOther("/app/sign-in")
            response.setCookie(WebSession.cookie(WebSession.cookie, "", maxAge: 0, secure: arrivedOverTLS(request)))
            return response
        }
    }

    private func signInForm(next: String?, email: String, error: String?, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = WebSession.signInNonce()
        let page = SignInPage(chrome: .init(assets: web.assetVersion), nonce: nonce, next: Self.safeReturn(next), email: email, error: error)
        var response = web.page("sign-in", page, status: status)
        response.setCookie(WebSession.cookie(WebSession.signInCookie, nonce, maxAge: 3600, secure: arrivedOverTLS(request)))
        return response
    }

    /// Where to go after signing in: a page of the web app, never another site.
    static func safeReturn(_ next: String?) -> String {
        guard let next, next == "/app" || next.hasPrefix("/app/"), !next.contains("//"), !next.contains("\\") else { return "/app" }
        return next
    }
}
