import Foundation
public import Hummingbird
import Logging

/// Establishes the user from `Authorization: Bearer <token>`; tokens are accepted nowhere else, so they
/// stay out of URLs and access logs.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AccordRequestContext
    let accounts: AccountService

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.unauthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthenticated }
        let generation = accounts.cache.generation
        guard let identity = try await accounts.identity(forToken: String(parts[1]), logger: context.logger) else {
            throw APIError.invalidToken
        }
        var context = context
        context.identity = identity
        context.accessGeneration = generation
        context.logger[metadataKey: "user"] = "\(identity.userID)"
        return try await next(request, context)
    }
}
