public import AccordCore
public import Foundation
public import GRDB
import Synchronization

/// One organization's local replica: a SQLite file in WAL mode with a typed table per collection, the
/// outbox of local changes waiting to sync, the rejection inbox and the sync state.
///
/// Every local write changes the local table and appends to the outbox in one SQLite transaction, so a
/// crash leaves both or neither. Reads never need the network.
public final class Replica: Sendable {
    public let organization: UUID
    public let url: URL
    /// This replica's id towards the server; it also breaks ties between concurrent edits.
    public let clientID: UUID
    /// The collections this replica keeps. A file must always be opened with the catalog it was made with, or a
    /// larger one: its triggers name its collections.
    public let catalog: Catalog
    let pool: DatabasePool
    let counting: ReplicaChecksums.Counting
    private let writeListeners = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])
    private let acting: Mutex<RuleActor?>

    /// Bytes the write-ahead log file keeps after a checkpoint, once a catch-up grew it.
    static let logSizeLimit = 8 << 20

    /// Readers for queries and GRDB `ValueObservation`.
    public var database: any DatabaseReader { pool }

    /// Opens the replica at `url`, creating it for `organization` when the file is new. `actor` is the member
    /// whose local writes the collections' rules judge; without one, only what no rule decides is checked.
    public init(at url: URL, organization: UUID, catalog: Catalog = .builtIn, actor: RuleActor? = nil) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let counting = ReplicaChecksums.Counting()
        // In WAL mode, NORMAL keeps every transaction atomic across a crash of the process; only a power loss
        // can take back the last commits, and then the table and the outbox go back together.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA journal_size_limit = \(Replica.logSizeLimit)")
            try ReplicaChecksums.prepare(db, counting: counting, catalog: catalog)
        }
        let pool = try DatabasePool(path: url.path, configuration: configuration)
        try ReplicaSchema.migrator(catalog).migrate(pool)
        try pool.write { db in
            try ReplicaSchema.addDeclaredColumns(catalog, in: db)
            try ReplicaSchema.addDeclaredIndexes(catalog, in: db)
        }
        let clientID = try pool.write { db -> String in
            if let row = try Row.fetchOne(db, sql: "SELECT org_id, client_id FROM sync_state") {
                guard (row["org_id"] as String).lowercased() == organization.uuidString.lowercased() else {
                    throw ClientError.invalidInput("\(url.path) is the replica of another organization (\(row["org_id"] as String))")
                }
                return row["client_id"]
            }
            let clientID = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO sync_state (id, org_id, client_id) VALUES (1, ?, ?)", arguments: [organization.uuidString.lowercased(), clientID])
            return clientID
        }
        self.organization = organization
        self.catalog = catalog
        self.url = url
        self.pool = pool
        self.counting = counting
        self.acting = Mutex(actor)
        self.clientID = UUID(uuidString: clientID) ?? UUID()
    }

    /// The member whose local writes the collections' rules judge, when known.
    public var actor: RuleActor? { acting.withLock { $0 } }

    /// Judges later local writes as `actor`'s, as when the member's role or teams changed.
    public func act(as actor: RuleActor?) {
        acting.withLock { $0 = actor }
    }

    /// Closes the file; the replica cannot be used afterwards.
    public func close() throws {
        writeListeners.withLock { listeners in
            for continuation in listeners.values { continuation.finish() }
            listeners = [:]
        }
        try pool.close()
    }

    /// Deletes a replica's files (the database and its WAL); used when access to the organization is lost.
    public static func remove(at url: URL) throws {
        for suffix in ["", "-wal", "-shm"] {
            let file = URL(fileURLWithPath: url.path + suffix)
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        }
    }

    /// Moves the replica's files to a dated name beside it, so that unsynced work survives losing the
    /// organization and the next replica of it starts fresh.
    public static func setAside(at url: URL, now: Date = Date()) throws -> URL {
        let stamp = now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.omitted).dateTimeSeparator(.standard))
        let aside = url.deletingPathExtension().appendingPathExtension("lost-\(stamp).sqlite")
        for suffix in ["", "-wal", "-shm"] {
            let file = URL(fileURLWithPath: url.path + suffix)
            if FileManager.default.fileExists(atPath: file.path) {
                try FileManager.default.moveItem(at: file, to: URL(fileURLWithPath: aside.path + suffix))
            }
        }
        return aside
    }

    /// Yields after every local write, so a live sync can push without polling.
    public func localWrites() -> AsyncStream<Void> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in self?.writeListeners.withLock { $0[id] = nil } }
        writeListeners.withLock { $0[id] = continuation }
        return stream
    }

    func notifyLocalWrite() {
        let listeners = writeListeners.withLock { Array($0.values) }
        for continuation in listeners { continuation.yield() }
    }

    func schema(_ collection: String) throws -> CollectionSchema {
        do {
            return try catalog.schema(collection)
        } catch {
            throw ClientError.invalidInput(error.description)
        }
    }
}
