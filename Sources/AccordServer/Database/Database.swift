public import Foundation
public import Logging
public import PostgresNIO

/// The application's connection pool, and the one way to run a request's queries: inside a transaction
/// that names the tenant and user, so PostgreSQL's row-level security applies to every statement.
public struct Database: Sendable {
    public let client: PostgresClient
    /// Connected with the owner's login, switch to the application role per transaction so RLS applies.
    let assumesApplicationRole: Bool

    public init(client: PostgresClient, assumesApplicationRole: Bool) {
        self.client = client
        self.assumesApplicationRole = assumesApplicationRole
    }

    /// Runs `body` in one transaction scoped to `user` and `org` with `SET LOCAL` semantics, which end with
    /// the transaction, so a pooled connection never carries one request's tenant into the next.
    ///
    /// Errors thrown by `body` roll the transaction back and reach the caller unchanged.
    @discardableResult
    public func transaction<Result: Sendable>(
        user: UUID? = nil,
        org: UUID? = nil,
        isolation: IsolationLevel = .readCommitted,
        logger: Logger,
        _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query(isolation.begin, logger: logger)
            do {
                if assumesApplicationRole {
                    try await connection.query("SET LOCAL ROLE accord_app", logger: logger)
                }
                let transaction = Transaction(connection: connection, logger: logger)
                try await transaction.scope(user: user, org: org)
                let result = try await body(transaction)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}

/// How a transaction sees concurrent commits.
public enum IsolationLevel: Sendable {
    case readCommitted
    /// One consistent snapshot for the whole transaction, read-only: for snapshots and pulls.
    case repeatableReadOnly

    var begin: PostgresQuery {
        switch self {
        case .readCommitted: "BEGIN"
        case .repeatableReadOnly: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }
}

/// A connection inside a tenant-scoped transaction.
public struct Transaction: Sendable {
    public let connection: PostgresConnection
    public let logger: Logger

    /// Sets the tenant and user that RLS policies read; local to this transaction.
    public func scope(user: UUID?, org: UUID?) async throws {
        try await connection.query(
            "SELECT set_config('accord.user_id', \(user?.uuidString ?? ""), true), set_config('accord.org_id', \(org?.uuidString ?? ""), true)",
            logger: logger
        )
    }

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger)
    }

    /// The rows of `query`, decoded as the column types `T`.
    public func rows<each T: PostgresDecodable>(_ query: PostgresQuery, as types: (repeat each T).Type) async throws -> [(repeat each T)] {
        var result: [(repeat each T)] = []
        for try await row in try await connection.query(query, logger: logger) {
            result.append(try row.decode((repeat each T).self))
        }
        return result
    }

    /// The first row of `query`, if any.
    public func first<each T: PostgresDecodable>(_ query: PostgresQuery, as types: (repeat each T).Type) async throws -> (repeat each T)? {
        for try await row in try await connection.query(query, logger: logger) {
            return try row.decode((repeat each T).self)
        }
        return nil
    }
}
