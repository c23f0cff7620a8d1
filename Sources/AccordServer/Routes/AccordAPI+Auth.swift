import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    func addPublicAuthRoutes(to v1: RouterGroup<Context>) {
        v1.post("auth/signup") { request, context -> EditedResponse<IssuedToken> in
            guard configuration.signup == .open else {
                throw APIError.forbidden("Sign-up is by invitation on this server; ask its administrator for an account.")
            }
            let body = try await request.decodeJSON(as: SignupRequest.self, context: context)
            let user = try await accounts.createUser(
                email: body.email, password: body.password, name: body.name, address: clientAddress(of: request, context: context), logger: context.logger
            )
            let issued = try await accounts.issueToken(
                for: user, kind: .session, name: "signup", lifetime: AccountService.sessionLifetime, logger: context.logger
            )
            return EditedResponse(status: .created, response: issued)
        }
        v1.post("auth/login") { request, context -> IssuedToken in
            let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
            return try await accounts.login(
                email: body.email, password: body.password, address: clientAddress(of: request, context: context), logger: context.logger
            )
        }
    }

    func addSessionRoutes(to v1: RouterGroup<Context>) {
        v1.post("auth/logout") { _, context -> HTTPResponse.Status in
            let identity = try context.requireIdentity()
            try await accounts.revokeToken(identity.tokenID, of: identity, logger: context.logger)
            return .noContent
        }
        v1.get("tokens") { _, context -> [TokenInfo] in
            try await accounts.tokens(of: try context.requireIdentity(), logger: context.logger)
        }
        v1.post("tokens") { request, context -> EditedResponse<IssuedToken> in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(as: CreateTokenRequest.self, context: context)
            let name = try Validators.name(body.name)
            if let days = body.expiresInDays, !(1...3650).contains(days) {
                throw APIError.invalid(FieldError(field: "expiresInDays", message: "must be 1-3650, or left out for \(CreateTokenRequest.defaultLifetimeDays) days"))
            }
            if body.neverExpires == true, body.expiresInDays != nil {
                throw APIError.invalid(FieldError(field: "neverExpires", message: "cannot be set with expiresInDays; choose one"))
            }
            let user = UserSummary(id: identity.userID, email: identity.email, name: identity.name)
            let days = body.expiresInDays ?? CreateTokenRequest.defaultLifetimeDays
            let lifetime = body.neverExpires == true ? nil : Duration.seconds(days * 24 * 3600)
            let issued = try await accounts.issueToken(for: user, kind: .personal, name: name, lifetime: lifetime, logger: context.logger)
            return EditedResponse(status: .created, response: issued)
        }
        v1.delete("tokens/:id") { request, context -> HTTPResponse.Status in
            let identity = try context.requireIdentity()
            let reference = try context.parameters.require("id")
            guard let id = UUID(uuidString: reference) else { throw APIError.notFound("Token \(reference)") }
            try await accounts.revokeToken(id, of: identity, logger: context.logger)
            return .noContent
        }
        v1.get("me") { _, context -> MeResponse in
            let identity = try context.requireIdentity()
            let memberships = try await organizations.memberships(of: identity, logger: context.logger)
            return MeResponse(user: UserSummary(id: identity.userID, email: identity.email, name: identity.name), memberships: memberships)
        }
    }
}
