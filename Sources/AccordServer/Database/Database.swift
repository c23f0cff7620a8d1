public import Foundation
public import Logging
public import PostgresNIO

/// The application's connection pool, and the one way to run a request's queries: inside a transaction
/// that names the tenant and user, so PostgreSQL's row-level security applies to every statement.
public struct Database: Sendable {
    public let client: PostgresClient
    /// Connected with the owner's login, switch to the application role per transaction so RLS applies.
    let assumesApplicationRole: Bool
    let timeouts: DatabaseTimeouts

    public init(client: PostgresClient, assumesApplicationRole: Bool, timeouts: DatabaseTimeouts = DatabaseTimeouts()) {
        self.client = client
        self.assumesApplicationRole = assumesApplicationRole
        self.timeouts = timeouts
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
                let transaction = Transaction(connection: connection, logger: logger)
                try await transaction.scope(user: user, org: org, role: assumesApplicationRole ? "accord_app" : nil, timeouts: timeouts)
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

extension Database {
    /// The first row of one statement run on its own, outside any tenant scope. Only for the account tables
    /// (users, tokens), which hold no tenant's data and have no row-level security.
    func first<each T: PostgresDecodable>(_ query: PostgresQuery, as types: (repeat each T).Type, logger: Logger) async throws -> (repeat each T)? {
        for try await row in try await client.query(query, logger: logger) {
            return try row.decode((repeat each T).self)
        }
        return nil
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

    /// Sets the tenant and user that RLS policies read, the role when the login is not the application's own,
    /// and the transaction's timeouts; all local to this transaction.
    public func scope(user: UUID?, org: UUID?, role: String? = nil, timeouts: DatabaseTimeouts = DatabaseTimeouts()) async throws {
        let (user, org) = (user?.uuidString ?? "", org?.uuidString ?? "")
        // An empty role leaves the login's own in place.
        _ = try await rows(ScopeStatement(user: user, org: org, role: role ?? "", settings: timeouts.settings))
    }

    private struct ScopeStatement: PostgresPreparedStatement {
        typealias Row = ()
        static let sql = """
            SELECT set_config('accord.user_id', $1, true), set_config('accord.org_id', $2, true),
                   CASE WHEN $3 <> '' THEN set_config('role', $3, true) END,
                   set_config('statement_timeout', $4, true), set_config('lock_timeout', $5, true),
                   set_config('idle_in_transaction_session_timeout', $6, true)
            """
        var user: String
        var org: String
        var role: String
        var settings: (statement: String, lock: String, idleInTransaction: String)

        func makeBindings() throws -> PostgresBindings {
            PostgresBindings(user, org, role, settings.statement, settings.lock, settings.idleInTransaction)
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
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

    /// The rows of a prepared statement: parsed and planned once per connection, which for the statements every
    /// sync request runs costs more than executing them.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var result: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { result.append(row) }
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
