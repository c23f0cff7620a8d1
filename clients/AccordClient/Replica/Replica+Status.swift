public import AccordCore
public import Foundation
import GRDB

/// Where a replica stands, for `accord status` and for apps.
public struct SyncStatus: Sendable, Codable, Equatable {
    public var cursor: Int64
    public var pending: Int
    public var lastSuccessAt: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    public var openConflicts: Int
    public var rejections: Int
    public var needsSnapshot: Bool
    /// When the oldest pending change was made.
    public var oldestPendingAt: Date?
    /// When the server raised the oldest open conflict.
    public var oldestConflictAt: Date?
    /// When the server refused the oldest change in the rejection inbox.
    public var oldestRejectionAt: Date?
    public var lastSummary: SyncSummary?
    /// The id of the last mutation this replica queued; the server applies each of them once.
    public var lastMutationID: Int64
}

extension Replica {
    public func status() throws -> SyncStatus {
        try pool.read { db in
            let state = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sync_state"))
            return SyncStatus(
                cursor: state?["cursor"] ?? 0,
                pending: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM outbox")) ?? 0,
                lastSuccessAt: ReplicaJSON.date(state?["last_success_at"]),
                lastError: state?["last_error"],
                lastErrorAt: ReplicaJSON.date(state?["last_error_at"]),
                openConflicts: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM conflicts WHERE status = 'open'")) ?? 0,
                rejections: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM rejections")) ?? 0,
                needsSnapshot: state?["needs_snapshot"] ?? true,
                oldestPendingAt: ReplicaJSON.date(try String.fetchOne(db.cachedStatement(sql: "SELECT min(created_at) FROM outbox"))),
                oldestConflictAt: ReplicaJSON.date(try String.fetchOne(db.cachedStatement(sql: "SELECT min(_updated_at) FROM conflicts WHERE status = 'open'"))),
                oldestRejectionAt: ReplicaJSON.date(try String.fetchOne(db.cachedStatement(sql: "SELECT min(rejected_at) FROM rejections"))),
                lastSummary: try (state?["last_summary"] as String?).map { try ReplicaJSON.decode(SyncSummary.self, $0) },
                lastMutationID: (state?["next_mutation_id"] ?? 1) - 1
            )
        }
    }

    func cursor() throws -> SyncPosition {
        try pool.read { db in
            let state = try Row.fetchOne(db.cachedStatement(sql: "SELECT cursor, epoch, needs_snapshot, server_checksums FROM sync_state"))
            let anyShadow = catalog.collections.map { "EXISTS (SELECT 1 FROM \($0.quotedShadowTable))" }.joined(separator: " OR ")
            return SyncPosition(
                cursor: state?["cursor"] ?? 0, epoch: (state?["epoch"] as String?).flatMap(UUID.init(uuidString:)),
                needsSnapshot: state?["needs_snapshot"] ?? true, serverChecksums: state?["server_checksums"],
                hasShadows: try Bool.fetchOne(db.cachedStatement(sql: "SELECT \(anyShadow)")) ?? false
            )
        }
    }

    /// Where the replica stands in the server's log.
    struct SyncPosition {
        var cursor: Int64
        var epoch: UUID?
        var needsSnapshot: Bool
        /// The checksums of the last pull or snapshot, as stored.
        var serverChecksums: String?
        /// Whether any record has a shadow row, which a caught-up pull may have to rebuild or drop.
        var hasShadows: Bool

        /// Whether applying `page` would change nothing: no changes, the same place in the same log, the same
        /// checksums and no shadow rows to settle.
        func isUnchanged(by page: PullResponse) -> Bool {
            guard page.changes.isEmpty, page.next == cursor, page.epoch == epoch, !hasShadows, let checksums = page.checksums,
                  let stored = serverChecksums, let known = try? ReplicaJSON.decode([String: CollectionChecksum].self, stored)
            else { return false }
            return known == checksums
        }
    }

    func recordFailure(_ message: String) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "UPDATE sync_state SET last_error = ?, last_error_at = ?").execute(arguments: [message, ReplicaJSON.now()])
        }
    }

    /// Every collection's checksum over the server's state as this replica holds it: the visible rows of
    /// records without pending changes, and the shadow rows of those with.
    public func serverStateChecksums() throws -> [String: CollectionChecksum] {
        try pool.read { db in
            try catalog.collections.reduce(into: [:]) { $0[$1.name] = try ReplicaChecksums.computed(for: $1, in: db) }
        }
    }

    /// The same checksums as the replica keeps them up to date with every write; equal to
    /// `serverStateChecksums()` unless the bookkeeping was bypassed.
    public func maintainedChecksums() throws -> [String: CollectionChecksum] {
        try pool.read { db in try ReplicaChecksums.maintained(in: db) }
    }

    /// Sets the maintained checksums from a full count of the rows.
    func recountChecksums() throws {
        try pool.write { db in
            for schema in catalog.collections { try ReplicaChecksums.recount(schema, in: db) }
        }
    }

    /// Whether the maintained checksums equal the server's (`serverChecksums`, or those of the last pull or
    /// snapshot), and if so, records the round's success in the same transaction.
    func recordIfVerified(_ summary: SyncSummary, serverChecksums known: [String: CollectionChecksum]?) throws -> Bool {
        try pool.write { db in
            let stored = { try String.fetchOne(db.cachedStatement(sql: "SELECT server_checksums FROM sync_state")) }
            guard let server = try known ?? stored().map({ try ReplicaJSON.decode([String: CollectionChecksum].self, $0) }) else { return false }
            let local = try ReplicaChecksums.maintained(in: db)
            guard catalog.collections.allSatisfy({ (local[$0.name] ?? CollectionChecksum()) == (server[$0.name] ?? CollectionChecksum()) }) else {
                return false
            }
            try db.cachedStatement(sql: "UPDATE sync_state SET last_success_at = ?, last_error = NULL, last_error_at = NULL, last_summary = ?")
                .execute(arguments: [ReplicaJSON.now(), try ReplicaJSON.text(summary)])
            return true
        }
    }
}

extension Replica {
    /// SQLite's own check of the file; "ok" when it is sound.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db.cachedStatement(sql: "PRAGMA integrity_check")).joined(separator: "; ") }
    }

    /// Compares the replica with the server without changing either: equal, behind, or different.
    public func compare(with transport: any SyncTransport) async throws -> ReplicaComparison {
        let position = try cursor()
        let (cursor, epoch) = (position.cursor, position.epoch)
        if position.needsSnapshot { return .needsSnapshot }
        let page: PullResponse
        do {
            page = try await transport.pull(since: cursor, limit: 1, epoch: epoch)
        } catch SyncError.resyncRequired {
            return .needsSnapshot
        }
        guard page.changes.isEmpty, !page.more, let server = page.checksums else { return .behind }
        let local = try serverStateChecksums()
        let differing = catalog.names.filter { (local[$0] ?? CollectionChecksum()) != (server[$0] ?? CollectionChecksum()) }
        return differing.isEmpty ? .equal : .different(differing)
    }
}

/// How a replica stands against the server.
public enum ReplicaComparison: Sendable, Equatable {
    case equal
    /// The server has changes the replica has not pulled yet.
    case behind
    case needsSnapshot
    /// These collections' checksums differ at the same cursor.
    case different([String])
}
