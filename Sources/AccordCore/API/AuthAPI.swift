public import Foundation

/// `POST /v1/auth/signup`.
public struct SignupRequest: Codable, Sendable {
    public var email: String
    public var password: String
    public var name: String

    public init(email: String, password: String, name: String) {
        self.email = email
        self.password = password
        self.name = name
    }
}

/// `POST /v1/auth/login`.
public struct LoginRequest: Codable, Sendable {
    public var email: String
    public var password: String

    public init(email: String, password: String) {
        self.email = email
        self.password = password
    }
}

/// A user as other members see them.
public struct UserSummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var name: String

    public init(id: UUID, email: String, name: String) {
        self.id = id
        self.email = email
        self.name = name
    }
}

/// The answer to signup, login and token creation. `token` is shown this once; the server keeps only its hash.
public struct IssuedToken: Codable, Sendable {
    public var token: String
    public var info: TokenInfo
    public var user: UserSummary

    public init(token: String, info: TokenInfo, user: UserSummary) {
        self.token = token
        self.info = info
        self.user = user
    }
}

public enum TokenKind: String, Codable, Sendable {
    /// Issued by login; expires.
    case session
    /// Created on purpose for scripts and clients; expires only if asked to.
    case personal
}

/// What the server tells about a token; never the token itself.
public struct TokenInfo: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: TokenKind
    public var name: String
    /// The first characters of the token, so a person can tell their tokens apart.
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var expiresAt: Date?
    /// Whether this is the token that authenticated the request listing it.
    public var current: Bool

    public init(
        id: UUID, kind: TokenKind, name: String, prefix: String, createdAt: Date, lastUsedAt: Date?,
        expiresAt: Date?, current: Bool
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.current = current
    }
}

/// `POST /v1/tokens`. A personal token expires, after `defaultLifetimeDays` unless told otherwise, because a
/// forgotten one in a script outlives the reason it was made; one that never expires must be asked for.
public struct CreateTokenRequest: Codable, Sendable {
    public static let defaultLifetimeDays = 90
    public var name: String
    /// Days until the token expires; `defaultLifetimeDays` when left out.
    public var expiresInDays: Int?
    /// A token that lasts until revoked, instead of expiring.
    public var neverExpires: Bool?

    public init(name: String, expiresInDays: Int? = nil, neverExpires: Bool? = nil) {
        self.name = name
        self.expiresInDays = expiresInDays
        self.neverExpires = neverExpires
    }
}
