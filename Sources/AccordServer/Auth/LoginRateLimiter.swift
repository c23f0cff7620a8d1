import Foundation
import HTTPTypes
import Logging
import PostgresNIO

/// Counts login attempts per account and per client address, and signups per address, in PostgreSQL, so every
/// server instance enforces the same limits.
///
/// An attempt is admitted and counted in one transaction, under locks on its account and address, before its
/// password is hashed: concurrent guesses queue on the lock and each sees the ones before it. The attempt
/// stays counted as a failure unless it succeeds.
struct LoginRateLimiter: Sendable {
    let database: Database
    let limits: LoginLimits

    private var windowSeconds: Double { Double(limits.window.components.seconds) }

    /// Counts an attempt to log in to `email` from `address`, or throws 429 with Retry-After when the address
    /// has used up its failures or the account must still wait after its last one.
    func admitLogin(email: String, address: String, logger: Logger) async throws -> UUID {
        let now = limits.clock()
        let since = now.addingTimeInterval(-windowSeconds)
        let attempt = UUID()
        try await database.transaction(logger: logger) { tx in
            // Always the account first, then the address: two attempts can never hold one each and wait.
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\("login:account:" + email)))")
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\("login:address:" + address)))")
            try await tx.query("DELETE FROM login_failures WHERE scope IN ('account', 'address') AND failed_at <= \(since)")
            let counts = try await tx.rows(
                """
                SELECT scope, count(*)::int, min(failed_at), max(failed_at) FROM login_failures
                WHERE (scope = 'account' AND key = \(email)) OR (scope = 'address' AND key = \(address))
                GROUP BY scope
                """,
                as: (String, Int, Date, Date).self
            )
            for (scope, count, oldest, latest) in counts {
                if let wait = self.wait(scope: scope, failures: count, oldest: oldest, latest: latest, now: now) {
                    throw Self.limited(scope: scope, retryAfter: wait)
                }
            }
            try await tx.query(
                "INSERT INTO login_failures (scope, key, failed_at, attempt) VALUES ('account', \(email), \(now), \(attempt)), ('address', \(address), \(now), \(attempt))"
            )
        }
        return attempt
    }

    /// A successful login clears its account's failures and takes back what its attempt counted against the address.
    func recordSuccess(email: String, attempt: UUID, logger: Logger) async throws {
        try await database.transaction(logger: logger) { tx in
            try await tx.query("DELETE FROM login_failures WHERE (scope = 'account' AND key = \(email)) OR attempt = \(attempt)")
        }
    }

    /// Seconds until the next attempt may run, or nil when it may run now.
    private func wait(scope: String, failures: Int, oldest: Date, latest: Date, now: Date) -> Int? {
        let until: Date
        if scope == "address" {
            guard failures >= limits.perAddress else { return nil }
            until = oldest.addingTimeInterval(windowSeconds)
        } else {
            guard failures >= limits.perAccount else { return nil }
            let longest = Double(limits.longestAccountWait.components.seconds)
            let doublings = Double(min(failures - limits.perAccount, 30))
            until = latest.addingTimeInterval(min(longest, pow(2, doublings)))
        }
        guard until > now else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    private static func limited(scope: String, retryAfter: Int) -> APIError {
        let message = scope == "address"
            ? "Too many failed logins from this address; try again in \(retryAfter) seconds."
            : "Too many failed logins for this account; wait \(retryAfter) seconds before the next try."
        return APIError(
            .tooManyRequests, code: "rate_limited", message: message,
            details: ["retryAfter": "\(retryAfter)", "scope": scope], headers: [.retryAfter: "\(retryAfter)"]
        )
    }

    /// Counts a signup from `address`, or throws 429 when the address has signed up its share of accounts in
    /// the window. The signup is counted before its password is hashed, and counting and checking are one
    /// transaction, so concurrent signups cannot all slip under the limit.
    func admitSignup(address: String, logger: Logger) async throws {
        let now = limits.clock()
        let since = now.addingTimeInterval(-windowSeconds)
        let limit = limits.signupsPerAddress
        try await database.transaction(logger: logger) { tx in
            // Concurrent signups from one address queue here, so each counts the ones before it.
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\("signup:" + address)))")
            try await tx.query("DELETE FROM login_failures WHERE scope = 'signup' AND failed_at <= \(since)")
            let (count, oldest) = try await tx.first(
                "SELECT count(*)::int, min(failed_at) FROM login_failures WHERE scope = 'signup' AND key = \(address)",
                as: (Int, Date?).self
            ) ?? (0, nil)
            if count >= limit, let oldest {
                let retryAfter = max(1, Int(oldest.addingTimeInterval(self.windowSeconds).timeIntervalSince(now).rounded(.up)))
                throw APIError(
                    .tooManyRequests, code: "rate_limited",
                    message: "Too many accounts were signed up from this address; try again in \(retryAfter) seconds.",
                    details: ["retryAfter": "\(retryAfter)", "scope": "signup"],
                    headers: [.retryAfter: "\(retryAfter)"]
                )
            }
            try await tx.query("INSERT INTO login_failures (scope, key, failed_at) VALUES ('signup', \(address), \(now))")
        }
    }
}
