public import Foundation
public import Logging

/// A private PostgreSQL cluster under the data directory, for running Accord with no database configured.
///
/// It listens on a unix socket only, in a directory no other account can enter, and trusts local
/// connections: reaching the socket is the credential. Running as root, the cluster belongs to the
/// unprivileged `postgres` account, because PostgreSQL refuses to run as root.
public struct EmbeddedPostgres: Sendable {
    public static let ownerRole = "accord_owner"
    public static let databaseName = "accord"
    static let superuser = "postgres"
    static let port = 5432

    public let dataDirectory: URL
    let binDirectory: URL
    let socketDirectory: URL
    /// The account that owns the cluster's files, when it is not the current one.
    let clusterUser: String?
    let logger: Logger
    private let runner = CommandRunner()

    /// Where clusters live whose data directory the `postgres` account cannot reach, such as one under root's
    /// own home directory: one folder per requested directory, so a later start finds the same cluster.
    static let reachableRoot = URL(fileURLWithPath: "/var/lib/accord/clusters")

    /// Finds the PostgreSQL programs and decides where the cluster lives; starts nothing.
    public init(dataDirectory: URL, logger: Logger) throws {
        let requested = dataDirectory.standardizedFileURL
        self.logger = logger
        self.binDirectory = try Self.findBinDirectory()
        self.clusterUser = getuid() == 0 ? "postgres" : nil
        self.dataDirectory = clusterUser.map { Self.placement(of: requested, reachableBy: $0, runner: CommandRunner(), logger: logger) } ?? requested
        let socketInDataDirectory = self.dataDirectory.appendingPathComponent(".s.PGSQL.\(Self.port)").path
        // A unix socket path is limited to about 107 bytes; a deep data directory falls back to /tmp.
        if socketInDataDirectory.utf8.count < 100 {
            socketDirectory = self.dataDirectory
        } else {
            socketDirectory = URL(fileURLWithPath: "/tmp/accord-pg-\(Self.digest(self.dataDirectory.path))")
        }
    }

    /// `requested`, unless the cluster's account could not reach it (a parent it may not traverse) and no
    /// cluster is there yet: then a folder of its own under `reachableRoot`, named after `requested`.
    static func placement(of requested: URL, reachableBy account: String, runner: CommandRunner, logger: Logger) -> URL {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: requested.appendingPathComponent("PG_VERSION").path) { return requested }
        var existing = requested.deletingLastPathComponent()
        while !fileManager.fileExists(atPath: existing.path), existing.path != "/" { existing = existing.deletingLastPathComponent() }
        // Directories made later get the default mode, so reaching the nearest existing one is enough.
        guard runner.status("/bin/sh", ["-c", "cd \"$1\"", "sh", existing.path], as: account) != 0 else { return requested }
        let moved = reachableRoot.appendingPathComponent(digest(requested.path)).appendingPathComponent("postgres")
        logger.notice(
            "the \(account) account cannot reach \(requested.path), so the embedded PostgreSQL cluster lives at \(moved.path)",
            metadata: ["requested": "\(requested.path)", "data": "\(moved.path)"]
        )
        return moved
    }

    /// A short stable name for a path (FNV-1a, in hexadecimal).
    static func digest(_ path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    /// The owner role's endpoint, which runs migrations.
    public var ownerEndpoint: DatabaseEndpoint {
        DatabaseEndpoint(address: .socket(path: socketPath), username: Self.ownerRole, password: nil, database: Self.databaseName)
    }

    /// The application role's endpoint, which serves requests.
    public var applicationEndpoint: DatabaseEndpoint { ownerEndpoint.asUser("accord_app", password: nil) }

    var socketPath: String { socketDirectory.appendingPathComponent(".s.PGSQL.\(Self.port)").path }

    /// Creates the cluster on first use, starts it unless it already runs, and makes the Accord database.
    public func start() throws {
        if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            try initialize()
        }
        try prepareSocketDirectory()
        if isRunning {
            logger.info("reusing the running embedded PostgreSQL", metadata: ["data": "\(dataDirectory.path)"])
        } else {
            logger.info("starting embedded PostgreSQL", metadata: ["data": "\(dataDirectory.path)"])
            do {
                try runner.run(tool("pg_ctl"), ["-D", dataDirectory.path, "-l", logFile, "-w", "-t", "60", "start"], as: clusterUser)
            } catch {
                throw ConfigurationError("embedded PostgreSQL did not start; its log is \(logFile). \(error)")
            }
        }
        try createRoleAndDatabase()
    }

    /// Stops the cluster, letting open transactions roll back.
    public func stop() {
        guard isRunning else { return }
        logger.info("stopping embedded PostgreSQL")
        do {
            try runner.run(tool("pg_ctl"), ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"], as: clusterUser)
        } catch {
            logger.error("embedded PostgreSQL did not stop cleanly: \(error)")
        }
    }

    public var isRunning: Bool {
        runner.status(tool("pg_ctl"), ["-D", dataDirectory.path, "status"], as: clusterUser) == 0
    }

    private var logFile: String { dataDirectory.appendingPathComponent("server.log").path }

    private func tool(_ name: String) -> String { binDirectory.appendingPathComponent(name).path }

    private func initialize() throws {
        let fileManager = FileManager.default
        // Only the cluster's own folder is private; its parents keep the default mode so `postgres` can reach it.
        try fileManager.createDirectory(at: dataDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if let clusterUser {
            try runner.run("/bin/chown", [clusterUser, dataDirectory.path])
            guard runner.status("/usr/bin/test", ["-w", dataDirectory.path], as: clusterUser) == 0 else {
                throw ConfigurationError(
                    "the \(clusterUser) account cannot reach \(dataDirectory.path); set ACCORD_DATA_DIR to a directory "
                        + "every account can traverse, such as /var/lib/accord"
                )
            }
        }
        logger.info("creating embedded PostgreSQL cluster", metadata: ["data": "\(dataDirectory.path)"])
        try runner.run(
            tool("initdb"),
            ["-D", dataDirectory.path, "-U", Self.superuser, "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--no-locale"],
            as: clusterUser
        )
        let settings = """

            # Accord's embedded cluster: unix socket only.
            listen_addresses = ''
            port = \(Self.port)
            unix_socket_directories = '\(socketDirectory.path)'
            unix_socket_permissions = 0700
            """
        let configuration = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()
    }

    private func prepareSocketDirectory() throws {
        guard socketDirectory != dataDirectory else { return }
        try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let clusterUser { try runner.run("/bin/chown", [clusterUser, socketDirectory.path]) }
    }

    private func createRoleAndDatabase() throws {
        let psql = tool("psql")
        let connect = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory.path, "-p", "\(Self.port)", "-U", Self.superuser, "-d", "postgres"]
        let roleExists = try runner.run(psql, connect + ["-tAc", "SELECT 1 FROM pg_roles WHERE rolname = '\(Self.ownerRole)'"], as: clusterUser)
        if roleExists.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try runner.run(psql, connect + ["-c", "CREATE ROLE \(Self.ownerRole) LOGIN CREATEROLE"], as: clusterUser)
        }
        let databaseExists = try runner.run(psql, connect + ["-tAc", "SELECT 1 FROM pg_database WHERE datname = '\(Self.databaseName)'"], as: clusterUser)
        if databaseExists.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try runner.run(psql, connect + ["-c", "CREATE DATABASE \(Self.databaseName) OWNER \(Self.ownerRole)"], as: clusterUser)
        }
    }

    /// `pg_config --bindir` when it has `initdb` (Debian's does not), else the newest `/usr/lib/postgresql/N/bin`.
    static func findBinDirectory() throws -> URL {
        var candidates: [URL] = []
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let pgConfig = URL(fileURLWithPath: String(directory)).appendingPathComponent("pg_config")
            if FileManager.default.isExecutableFile(atPath: pgConfig.path),
               let output = try? CommandRunner().run(pgConfig.path, ["--bindir"]) {
                candidates.append(URL(fileURLWithPath: output.trimmingCharacters(in: .whitespacesAndNewlines)))
                break
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.compactMap(Int.init).sorted(by: >) {
            candidates.append(URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin"))
        }
        let tools = ["initdb", "pg_ctl", "psql", "postgres"]
        if let found = candidates.first(where: { directory in
            tools.allSatisfy { FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path) }
        }) {
            return found
        }
        throw ConfigurationError(
            "PostgreSQL is not installed: apt-get install postgresql (or set ACCORD_DATABASE_URL to use an existing server)"
        )
    }
}
