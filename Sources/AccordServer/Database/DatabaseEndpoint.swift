import Foundation
import PostgresNIO

/// Where and as whom to reach PostgreSQL: a TCP host or a unix socket directory.
public struct DatabaseEndpoint: Sendable, Equatable {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int, requireTLS: Bool)
        /// The socket file's full path, for example `/var/run/postgresql/.s.PGSQL.5432`.
        case socket(path: String)
    }

    public var address: Address
    public var username: String
    public var password: String?
    public var database: String

    public init(address: Address, username: String, password: String?, database: String) {
        self.address = address
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=...`, and `?host=/socket/dir` for unix sockets.
    public init(url string: String) throws(ConfigurationError) {
        guard let url = URLComponents(string: string), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw ConfigurationError("ACCORD_DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        guard let user = url.user, !user.isEmpty else {
            throw ConfigurationError("the database URL names no user: postgres://USER:password@host/database")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        let port = url.port ?? 5432
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            address = .socket(path: "\(socketDirectory)/.s.PGSQL.\(port)")
        } else {
            guard let host = url.host, !host.isEmpty else {
                throw ConfigurationError("the database URL names no host: postgres://user:password@HOST/database")
            }
            address = .tcp(host: host, port: port, requireTLS: ["require", "verify-ca", "verify-full"].contains(query["sslmode"]))
        }
        username = user
        password = url.password
        self.database = database.isEmpty ? user : database
    }

    /// The same server and database, reached as another role.
    public func asUser(_ username: String, password: String?) -> DatabaseEndpoint {
        DatabaseEndpoint(address: address, username: username, password: password, database: database)
    }

    /// The same server and role, in another database.
    public func inDatabase(_ database: String) -> DatabaseEndpoint {
        DatabaseEndpoint(address: address, username: username, password: password, database: database)
    }

    var clientConfiguration: PostgresClient.Configuration {
        switch address {
        case .tcp(let host, let port, let requireTLS):
            let tls: PostgresClient.Configuration.TLS = requireTLS ? .require(.makeClientConfiguration()) : .disable
            return .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .socket(let path):
            return .init(unixSocketPath: path, username: username, password: password, database: database)
        }
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        switch address {
        case .tcp(let host, let port, let requireTLS):
            let tls: PostgresConnection.Configuration.TLS = requireTLS ? .require(try! .init(configuration: .makeClientConfiguration())) : .disable
            return .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .socket(let path):
            return .init(unixSocketPath: path, username: username, password: password, database: database)
        }
    }

    /// Where the database is, without the password, for messages.
    public var description: String {
        switch address {
        case .tcp(let host, let port, _): "\(username)@\(host):\(port)/\(database)"
        case .socket(let path): "\(username)@\(path)/\(database)"
        }
    }
}

/// A setting that cannot be used, with what to do about it.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
