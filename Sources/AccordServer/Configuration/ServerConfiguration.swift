public import Configuration
import HTTPTypes
public import Foundation
public import Logging

/// Who may create an account.
public enum SignupMode: String, Sendable, CaseIterable {
    /// Anyone who reaches the server may sign up.
    case open
    /// Accounts are created by an administrator (`accord-server admin create-user`).
    case invite
}

/// Everything the server reads at start, from flags and `ACCORD_*` environment variables.
public struct ServerConfiguration: Sendable {
    /// The owner role's database, which runs migrations; nil starts the embedded cluster.
    public var databaseURL: String?
    /// The application role's login; when nil, requests switch to the role inside each transaction.
    public var applicationDatabaseURL: String?
    public var host: String
    public var port: Int
    public var dataDirectory: URL
    public var logLevel: Logger.Level
    public var signup: SignupMode
    /// The largest request body the server reads, in bytes.
    public var maxBodySize: Int
    /// bcrypt's work factor; each step doubles the time a password check takes.
    public var bcryptCost: Int
    public var loginLimits: LoginLimits
    /// Snapshots that may stream at once; each holds a database connection while it does.
    public var concurrentSnapshots: Int
    /// How long a request's statements, lock waits and idle moments inside a transaction may last.
    public var databaseTimeouts = DatabaseTimeouts()
    /// The header a reverse proxy in front of the server sets to the client's address (`X-Forwarded-For`,
    /// `X-Real-IP`); nil trusts no header, so a client cannot pick the address its limits are counted against.
    public var trustedProxyHeader: String?
    /// Whether the web app's cookies are marked `Secure`: set when the server is only reached over HTTPS.
    /// Without it, they are marked so on requests a trusted proxy says arrived over HTTPS (`X-Forwarded-Proto`).
    public var secureCookies = false
    /// How long a connection may sit without a request in progress (or in the middle of sending one) before
    /// the server closes it; open realtime streams are not idle.
    public var idleTimeout: Duration = .seconds(60)
    public var streamLimits = StreamLimits()
    /// The largest measurement import, in bytes; imports stream, so this bounds time, not memory.
    public var maxImportSize = 4 << 30
    /// Rows an import records together: one lookup of the values in force, a few multi-row inserts and one
    /// change-log insert each. Larger batches mean fewer round trips and more memory held per batch.
    public var importBatchSize = 2_000
    /// The clock the write path stamps changes and judges deadlines (such as escalations) by; tests move it.
    public var clock: @Sendable () -> Date = { Date() }

    public init(
        databaseURL: String? = nil,
        applicationDatabaseURL: String? = nil,
        host: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: URL = URL(fileURLWithPath: ".accord"),
        logLevel: Logger.Level = .info,
        signup: SignupMode = .open,
        maxBodySize: Int = 8 << 20,
        bcryptCost: Int = 12,
        loginLimits: LoginLimits = LoginLimits(),
        concurrentSnapshots: Int = 8
    ) {
        self.databaseURL = databaseURL
        self.applicationDatabaseURL = applicationDatabaseURL
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.signup = signup
        self.maxBodySize = maxBodySize
        self.bcryptCost = bcryptCost
        self.loginLimits = loginLimits
        self.concurrentSnapshots = concurrentSnapshots
    }

    /// Reads the `accord.*` keys: `accord.database.url` is `ACCORD_DATABASE_URL` in the environment.
    public init(reader: ConfigReader) throws(ConfigurationError) {
        let accord = reader.scoped(to: "accord")
        let defaults = ServerConfiguration()
        self = defaults
        databaseURL = accord.string(forKey: "database.url", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        applicationDatabaseURL = accord.string(forKey: "app.database.url", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        host = accord.string(forKey: "host", default: defaults.host)
        port = accord.int(forKey: "port", default: defaults.port)
        dataDirectory = URL(fileURLWithPath: accord.string(forKey: "data.dir", default: ".accord"))
        let level = accord.string(forKey: "log.level", default: "info")
        guard let logLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw ConfigurationError("ACCORD_LOG_LEVEL is \(level); use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.logLevel = logLevel
        let signup = accord.string(forKey: "signup", default: "open")
        guard let mode = SignupMode(rawValue: signup) else {
            throw ConfigurationError("ACCORD_SIGNUP is \(signup); use open or invite")
        }
        self.signup = mode
        maxBodySize = accord.int(forKey: "body.limit", default: defaults.maxBodySize)
        bcryptCost = accord.int(forKey: "bcrypt.cost", default: defaults.bcryptCost)
        concurrentSnapshots = accord.int(forKey: "snapshot.limit", default: defaults.concurrentSnapshots)
        idleTimeout = .seconds(accord.int(forKey: "idle.timeout", default: Int(defaults.idleTimeout.components.seconds)))
        streamLimits = StreamLimits(
            total: accord.int(forKey: "stream.limit", default: defaults.streamLimits.total),
            perUser: accord.int(forKey: "streams.per.user", default: defaults.streamLimits.perUser)
        )
        guard idleTimeout >= .seconds(1) else { throw ConfigurationError("ACCORD_IDLE_TIMEOUT is \(idleTimeout.components.seconds); use a number of seconds, at least 1") }
        guard streamLimits.total >= 1, streamLimits.perUser >= 1 else {
            throw ConfigurationError("ACCORD_STREAM_LIMIT and ACCORD_STREAMS_PER_USER are \(streamLimits.total) and \(streamLimits.perUser); use at least 1")
        }
        trustedProxyHeader = accord.string(forKey: "trusted.proxy.header").flatMap { $0.isEmpty ? nil : $0 }
        if let header = trustedProxyHeader, HTTPField.Name(header) == nil {
            throw ConfigurationError("ACCORD_TRUSTED_PROXY_HEADER is \(header), which is not a header name; use one like X-Forwarded-For")
        }
        secureCookies = accord.bool(forKey: "secure.cookies", default: false)
        let limits = defaults.databaseTimeouts
        func seconds(_ key: ConfigKey, _ variable: String, _ fallback: Duration) throws(ConfigurationError) -> Duration {
            let value = accord.int(forKey: key, default: Int(fallback.components.seconds))
            guard value >= 1 else { throw ConfigurationError("\(variable) is \(value); use a number of seconds, at least 1") }
            return .seconds(value)
        }
        databaseTimeouts = DatabaseTimeouts(
            statement: try seconds("statement.timeout", "ACCORD_STATEMENT_TIMEOUT", limits.statement),
            lock: try seconds("lock.timeout", "ACCORD_LOCK_TIMEOUT", limits.lock),
            idleInTransaction: try seconds("idle.transaction.timeout", "ACCORD_IDLE_TRANSACTION_TIMEOUT", limits.idleInTransaction)
        )
        guard (0...65535).contains(port) else { throw ConfigurationError("ACCORD_PORT is \(port); use 1-65535, or 0 for any free port") }
        guard maxBodySize >= 1024 else { throw ConfigurationError("ACCORD_BODY_LIMIT is \(maxBodySize) bytes; use at least 1024") }
        guard concurrentSnapshots >= 1 else { throw ConfigurationError("ACCORD_SNAPSHOT_LIMIT is \(concurrentSnapshots); use at least 1") }
        guard (4...31).contains(bcryptCost) else { throw ConfigurationError("ACCORD_BCRYPT_COST is \(bcryptCost); use 4-31") }
    }
}

/// Bounds on what one request may hold in PostgreSQL, so a slow query, a wait behind a lock or a transaction
/// left open cannot tie up the connections every other request needs. Snapshots set their own statement limit.
public struct DatabaseTimeouts: Sendable {
    public var statement: Duration
    public var lock: Duration
    public var idleInTransaction: Duration

    public init(statement: Duration = .seconds(30), lock: Duration = .seconds(10), idleInTransaction: Duration = .seconds(60)) {
        self.statement = statement
        self.lock = lock
        self.idleInTransaction = idleInTransaction
    }

    /// The settings as PostgreSQL reads them: milliseconds, as text.
    var settings: (statement: String, lock: String, idleInTransaction: String) {
        func millis(_ duration: Duration) -> String { String(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000) }
        return (millis(statement), millis(lock), millis(idleInTransaction))
    }
}

/// How many failed logins, and signups, are allowed in a window before the server answers 429.
///
/// An address that fails `perAddress` times waits for the window to pass. An account is never shut out: after
/// `perAccount` failures each further attempt waits twice as long as the one before, up to `longestAccountWait`,
/// so guessing slows to a crawl while the rightful user, who knows the password, gets in after one wait.
public struct LoginLimits: Sendable {
    public var window: Duration
    public var perAccount: Int
    public var perAddress: Int
    public var longestAccountWait: Duration
    /// Accounts one address may sign up in a window.
    public var signupsPerAddress: Int
    /// The time the limits are counted in; tests pass their own.
    public var clock: @Sendable () -> Date

    public init(
        window: Duration = .seconds(15 * 60), perAccount: Int = 5, perAddress: Int = 30, longestAccountWait: Duration = .seconds(60),
        signupsPerAddress: Int = 25, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.window = window
        self.perAccount = perAccount
        self.perAddress = perAddress
        self.longestAccountWait = longestAccountWait
        self.signupsPerAddress = signupsPerAddress
        self.clock = clock
    }
}
