public import Foundation
public import Hummingbird
import NIOCore

/// The user a request acts for, established from its bearer token.
public struct Identity: Sendable {
    public var userID: UUID
    public var tokenID: UUID
    public var email: String
    public var name: String
    /// When the token stops working; realtime streams opened with it end then.
    public var expiresAt: Date? = nil
}

/// The request context of every Accord route.
public struct AccordRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` on the routes that need a user.
    public var identity: Identity?
    /// The access cache's generation from before the identity was checked, for a realtime stream to compare.
    var accessGeneration: UInt64 = 0
    /// The client's address without the port, for per-address rate limits.
    public let remoteAddress: String?
    /// Set from the configuration by `RequestLimitsMiddleware` before any body is read.
    public var maxUploadSize: Int = 8 << 20
    /// The web app's session secret, set by `WebSessionMiddleware`; pages derive their forms' CSRF token from it.
    var webSession: String?
    /// A web form's fields, read and checked against CSRF by `WebSessionMiddleware` before the route runs.
    var form: [String: String] = [:]

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Answers in Accord's JSON: sorted keys, ISO 8601 dates, lower-case ids.
    public var responseEncoder: JSONEncoder { .accord }

    /// The authenticated user; routes behind `AuthenticationMiddleware` always have one.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw APIError.unauthenticated }
        return identity
    }
}
