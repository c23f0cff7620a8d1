public import AccordCore
public import Foundation
import HTTPTypes
public import Logging
import PostgresNIO

/// Users, passwords and tokens.
public struct AccountService: Sendable {
    /// How long a login session lasts.
    static let sessionLifetime: Duration = .seconds(30 * 24 * 3600)
    /// Updating `last_used_at` on every request would turn reads into writes; once a minute is enough to show.
    static let lastUsedResolution = 60

    let database: Database
    let hasher: PasswordHasher
    let rateLimiter: LoginRateLimiter
    let cache: AccessCache

    init(database: Database, configuration: ServerConfiguration, cache: AccessCache) {
        self.database = database
        self.cache = cache
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.rateLimiter = LoginRateLimiter(database: database, limits: configuration.loginLimits)
    }

    /// Makes an account. A signup from `address` counts towards that address's limit; the password is hashed
    /// last, once the email is known to be free, so refused signups cost no hashing.
    public func createUser(email rawEmail: String, password: String, name rawName: String, address: String? = nil, logger: Logger) async throws -> UserSummary {
        let email = try Validators.email(rawEmail)
        let name = try Validators.name(rawName)
        try Validators.password(password)
        if let address { try await rateLimiter.admitSignup(address: address, logger: logger) }
        if try await user(email: email, logger: logger) != nil {
            throw APIError.conflict("email_taken", "An account with \(email) already exists; log in instead.", details: ["field": "email"])
        }
        let hash = try await hasher.hash(password)
        let user = UserSummary(id: UUID(), email: email, name: name)
        do {
            try await database.transaction(logger: logger) { tx in
                try await tx.query("INSERT INTO users (id, email, name, password_hash) VALUES (\(user.id), \(email), \(name), \(hash))")
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw {
            throw APIError.conflict("email_taken", "An account with \(email) already exists; log in instead.", details: ["field": "email"])
        }
        return user
    }

    /// Checks the password and issues a session token named `tokenName`, within the login rate limits.
    public func login(email rawEmail: String, password: String, address: String, tokenName: String = "login", logger: Logger) async throws -> IssuedToken {
        let email = try Validators.email(rawEmail)
        let attempt = try await rateLimiter.admitLogin(email: email, address: address, logger: logger)
        let found = try await database.transaction(logger: logger) { tx in
            try await tx.first("SELECT id, email, name, password_hash FROM users WHERE lower(email) = \(email)", as: (UUID, String, String, String).self)
        }
        guard try await hasher.verify(password, against: found?.3), case let (id, storedEmail, name, _)? = found else {
            throw APIError(.unauthorized, code: "invalid_credentials", message: "The email or password is wrong.")
        }
        try await rateLimiter.recordSuccess(email: email, attempt: attempt, logger: logger)
        let user = UserSummary(id: id, email: storedEmail, name: name)
        return try await issueToken(for: user, kind: .session, name: tokenName, lifetime: Self.sessionLifetime, logger: logger)
    }

    /// Creates a token for `user`; the returned value is the only time the secret exists outside the caller.
    public func issueToken(for user: UserSummary, kind: TokenKind, name: String, lifetime: Duration?, logger: Logger) async throws -> IssuedToken {
        let secret = SecretToken.generate()
        let id = UUID()
        let expiresAt = lifetime.map { Date().addingTimeInterval(TimeInterval($0.components.seconds)) }
        let createdAt = try await database.transaction(logger: logger) { tx in
            try await tx.first(
                """
                INSERT INTO tokens (id, user_id, kind, name, prefix, token_hash, expires_at)
                VALUES (\(id), \(user.id), \(kind.rawValue), \(name), \(secret.displayPrefix), \(secret.hash), \(expiresAt))
                RETURNING created_at
                """,
                as: Date.self
            )
        }
        let info = TokenInfo(
            id: id, kind: kind, name: name, prefix: secret.displayPrefix, createdAt: createdAt ?? Date(),
            lastUsedAt: nil, expiresAt: expiresAt, current: false
        )
        return IssuedToken(token: secret.value, info: info, user: user)
    }

    /// The user a live token belongs to, or nil for an unknown, expired or revoked token.
    func identity(forToken token: String, logger: Logger) async throws -> Identity? {
        guard token.hasPrefix(SecretToken.scheme) else { return nil }
        let hash = SecretToken(value: token).hash
        if let identity = cache.identity(forTokenHash: hash) { return identity }
        let ticket = cache.ticket()
        // One statement, so that authenticating costs a request a single round trip when the cache does not know it.
        let row = try await database.first(
            """
            WITH live AS (
                SELECT t.id AS token_id, u.id AS user_id, u.email, u.name, t.last_used_at, t.expires_at
                FROM tokens t JOIN users u ON u.id = t.user_id
                WHERE t.token_hash = \(hash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
            ), touched AS (
                UPDATE tokens SET last_used_at = now() FROM live
                WHERE tokens.id = live.token_id
                  AND coalesce(live.last_used_at < now() - make_interval(secs => \(Self.lastUsedResolution)), true)
            )
            SELECT token_id, user_id, email, name, expires_at FROM live
            """,
            as: (UUID, UUID, String, String, Date?).self, logger: logger
        )
        guard let (tokenID, userID, email, name, expiresAt) = row else { return nil }
        let identity = Identity(userID: userID, tokenID: tokenID, email: email, name: name, expiresAt: expiresAt)
        cache.remember(identity, expiresAt: expiresAt, forTokenHash: hash, ticket: ticket)
        return identity
    }

    /// The user's live tokens, newest first.
    public func tokens(of identity: Identity, logger: Logger) async throws -> [TokenInfo] {
        let rows = try await database.transaction(logger: logger) { tx in
            try await tx.rows(
                """
                SELECT id, kind, name, prefix, created_at, last_used_at, expires_at FROM tokens
                WHERE user_id = \(identity.userID) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                ORDER BY created_at DESC
                """,
                as: (UUID, String, String, String, Date, Date?, Date?).self
            )
        }
        return rows.map { id, kind, name, prefix, created, used, expires in
            TokenInfo(
                id: id, kind: TokenKind(rawValue: kind) ?? .personal, name: name, prefix: prefix, createdAt: created,
                lastUsedAt: used, expiresAt: expires, current: id == identity.tokenID
            )
        }
    }

    /// Revokes one of the user's own tokens; another user's token is reported as not found.
    public func revokeToken(_ tokenID: UUID, of identity: Identity, logger: Logger) async throws {
        let revoked = try await database.transaction(logger: logger) { tx in
            try await tx.first(
                "UPDATE tokens SET revoked_at = now() WHERE id = \(tokenID) AND user_id = \(identity.userID) AND revoked_at IS NULL RETURNING id",
                as: UUID.self
            )
        }
        guard revoked != nil else { throw APIError.notFound("Token \(tokenID)") }
        cache.clear()
    }

    /// The user's summary, by email.
    func user(email: String, logger: Logger) async throws -> UserSummary? {
        try await database.transaction(logger: logger) { tx in
            try await tx.first("SELECT id, email, name FROM users WHERE lower(email) = \(email.lowercased())", as: (UUID, String, String).self)
        }.map { UserSummary(id: $0.0, email: $0.1, name: $0.2) }
    }
}
