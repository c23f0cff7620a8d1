public import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// The change log's retention: pruning an organization's oldest changes and raising its horizon, so a
/// client whose cursor falls behind it resyncs by snapshot.
///
/// It runs as the owner role, since the application role may not delete history, inside the organization's
/// row-level security scope like any request.
extension AccordServer {
    /// Deletes `org`'s changes up to `through`, or those older than `olderThan` when `through` is nil,
    /// and returns how many it deleted.
    public func pruneChanges(org reference: String, through: Int64? = nil, olderThan age: TimeInterval? = nil) async throws -> Int {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: setup.owner.connectionConfiguration, id: 0, logger: logger
        )
        do {
            try await connection.query("BEGIN", logger: logger)
            let deleted = try await prune(reference, through: through, olderThan: age, on: connection)
            try await connection.query("COMMIT", logger: logger)
            try await connection.close()
            return deleted
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func prune(_ reference: String, through: Int64?, olderThan age: TimeInterval?, on connection: PostgresConnection) async throws -> Int {
        var org: UUID?
        for try await id in try await connection.query(
            "SELECT id FROM organizations WHERE slug = \(reference) OR id::text = \(reference.lowercased())", logger: logger
        ).decode(UUID.self) { org = id }
        guard let org else { throw ConfigurationError("there is no organization '\(reference)'") }
        try await connection.query("SELECT set_config('accord.org_id', \(org.uuidString), true)", logger: logger)
        var horizon = through ?? 0
        if through == nil, let age {
            let cutoff = Date().addingTimeInterval(-age)
            for try await seq in try await connection.query(
                "SELECT coalesce(max(seq), 0) FROM changes WHERE org_id = \(org) AND created_at < \(cutoff)", logger: logger
            ).decode(Int64.self) { horizon = seq }
        }
        // Locks the head so no writer hands out seqs meanwhile, and never moves the horizon past it.
        var head: Int64 = 0
        for try await seq in try await connection.query(
            "SELECT last_seq FROM sync_heads WHERE org_id = \(org) FOR UPDATE", logger: logger
        ).decode(Int64.self) { head = seq }
        horizon = min(horizon, head)
        var deleted = 0
        for try await count in try await connection.query(
            "WITH gone AS (DELETE FROM changes WHERE org_id = \(org) AND seq <= \(horizon) RETURNING 1) SELECT count(*) FROM gone",
            logger: logger
        ).decode(Int.self) { deleted = count }
        try await connection.query(
            "UPDATE sync_heads SET horizon_seq = greatest(horizon_seq, \(horizon)) WHERE org_id = \(org)", logger: logger
        )
        logger.info("pruned the change log", metadata: ["org": "\(org)", "through": "\(horizon)", "deleted": "\(deleted)"])
        return deleted
    }
}
