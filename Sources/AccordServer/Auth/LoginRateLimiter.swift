import Foundation
import HTTPTypes
import Logging
import PostgresNIO

/// Counts failed logins per account and per client address in PostgreSQL, so every server instance
/// enforces the same limit.
struct LoginRateLimiter: Sendable {
    let database: Database
    let limits: LoginLimits

    private var windowSeconds: Double { Double(limits.window.components.seconds) }

    /// Throws 429 with Retry-After when the account or the address has used up its failures.
    func check(email: String, address: String, logger: Logger) async throws {
        let window = windowSeconds
        let counts = try await database.transaction(logger: logger) { tx in
            try await tx.rows(
                """
                SELECT scope, count(*)::int, extract(epoch FROM min(failed_at) + make_interval(secs => \(window)) - now())::float8
                FROM login_failures
                WHERE failed_at > now() - make_interval(secs => \(window))
                  AND ((scope = 'account' AND key = \(email)) OR (scope = 'address' AND key = \(address)))
                GROUP BY scope
                """,
                as: (String, Int, Double).self
            )
        }
        for (scope, count, secondsLeft) in counts {
            let limit = scope == "account" ? limits.perAccount : limits.perAddress
            guard count >= limit else { continue }
            let retryAfter = max(1, Int(secondsLeft.rounded(.up)))
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "Too many failed logins for this \(scope == "account" ? "account" : "address"); try again in \(retryAfter) seconds.",
                details: ["retryAfter": "\(retryAfter)", "scope": scope],
                headers: [.retryAfter: "\(retryAfter)"]
            )
        }
    }

    func recordFailure(email: String, address: String, logger: Logger) async throws {
        let window = windowSeconds
        try await database.transaction(logger: logger) { tx in
            try await tx.query("INSERT INTO login_failures (scope, key) VALUES ('account', \(email)), ('address', \(address))")
            // Old failures no longer count; pruning on each new one keeps the table small.
            try await tx.query("DELETE FROM login_failures WHERE failed_at < now() - make_interval(secs => \(window))")
        }
    }

    func recordSuccess(email: String, logger: Logger) async throws {
        try await database.transaction(logger: logger) { tx in
            try await tx.query("DELETE FROM login_failures WHERE scope = 'account' AND key = \(email)")
        }
    }

    /// Counts a signup from `address`, or throws 429 when the address has signed up its share of accounts in
    /// the window. The signup is counted before its password is hashed, and counting and checking are one
    /// transaction, so concurrent signups cannot all slip under the limit.
    func admitSignup(address: String, logger: Logger) async throws {
        let window = windowSeconds
        let limit = limits.signupsPerAddress
        try await database.transaction(logger: logger) { tx in
            // Concurrent signups from one address queue here, so each counts the ones before it.
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\("signup:" + address)))")
            try await tx.query("DELETE FROM login_failures WHERE scope = 'signup' AND failed_at < now() - make_interval(secs => \(window))")
            let (count, secondsLeft) = try await tx.first(
                """
                SELECT count(*)::int, coalesce(extract(epoch FROM min(failed_at) + make_interval(secs => \(window)) - now())::float8, 0)
                FROM login_failures WHERE scope = 'signup' AND key = \(address)
                """,
                as: (Int, Double).self
            ) ?? (0, 0)
            guard count < limit else {
                let retryAfter = max(1, Int(secondsLeft.rounded(.up)))
                throw APIError(
                    .tooManyRequests, code: "rate_limited",
                    message: "Too many accounts were signed up from this address; try again in \(retryAfter) seconds.",
                    details: ["retryAfter": "\(retryAfter)", "scope": "signup"],
                    headers: [.retryAfter: "\(retryAfter)"]
                )
            }
            try await tx.query("INSERT INTO login_failures (scope, key) VALUES ('signup', \(address))")
        }
    }
}
