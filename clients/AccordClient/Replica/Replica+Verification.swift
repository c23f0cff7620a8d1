import AccordCore
import GRDB

/// Remembers the server checksums that the replica last proved itself equal to, so a round that applied
/// nothing from the server does not digest every record again (an idle sync of a large replica would
/// otherwise read all of it). Moving the cursor, changing the epoch, or starting a snapshot forgets them.
extension Replica {
    static let verifiedChecksumsSchema = """
        ALTER TABLE sync_state ADD COLUMN verified_checksums TEXT;
        CREATE TRIGGER sync_state_unverified AFTER UPDATE ON sync_state
        WHEN NEW.cursor IS NOT OLD.cursor OR NEW.epoch IS NOT OLD.epoch OR NEW.needs_snapshot = 1
            OR NEW.snapshot_generation IS NOT OLD.snapshot_generation
        BEGIN
            UPDATE sync_state SET verified_checksums = NULL;
        END;
        """

    /// Whether nothing from the server was applied since the replica last matched the checksums it holds.
    func isVerified() throws -> Bool {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT server_checksums, verified_checksums FROM sync_state")
            guard let server: String = row?["server_checksums"], let verified: String = row?["verified_checksums"] else { return false }
            return server == verified
        }
    }

    /// Records that the replica's server state matches the checksums it holds.
    func markVerified() throws {
        try pool.write { db in try db.execute(sql: "UPDATE sync_state SET verified_checksums = server_checksums") }
    }
}
