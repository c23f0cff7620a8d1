import AccordClient
import AccordCore
import Foundation
import GRDB

/// What SQLite alone takes for catch-up's writes: the changed rows, read out of PostgreSQL as the baseline reads
/// them, written into a copy of the replica by one prepared UPDATE each (who and when, and the corrected fields),
/// committed every `Job.count` rows as the replica commits each pull page, with the replica's settings while
/// catching up and without its checksum triggers. It is not a goal's baseline; it shows what committing page by
/// page costs before any of Accord's own work.
enum CatchUpFloor {
    static func run(_ job: Job) async throws -> JobResult {
        let queue = try DatabaseQueue(path: job.file)
        try await queue.writeWithoutTransaction { db in
            let triggers = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for trigger in triggers { try db.execute(sql: "DROP TRIGGER \(trigger.quotedDatabaseIdentifier)") }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Replica.catchUpCheckpointPages)")
            try db.execute(sql: "PRAGMA cache_size = -\(Replica.catchUpCacheKiB)")
        }
        let fields = BenchCollection.schema.fields.map(\.name)
        // Each row's cells are id, seq, then the fields in order.
        let corrected = MeasurementGenerator.correctedFields.compactMap { name in fields.firstIndex(of: name).map { (name, $0 + 2) } }
        let assignments = corrected.map { ", \($0.0.quotedDatabaseIdentifier) = ?" }.joined()
        let update = "UPDATE \(BenchCollection.name) SET _seq = ?, _updated_by = ?, _updated_at = ?\(assignments) WHERE id = ?"
        let (actor, at) = (UUID().uuidString.lowercased().databaseValue, FieldSchema.canonicalTime(Date()).databaseValue)
        let page = max(1, job.count)

        Memory.resetPeak()
        let start = ContinuousClock.now
        let rows = try await queue.writeWithoutTransaction { db -> Int in
            let statement = try db.makeStatement(sql: update)
            var written = 0
            let rows = try CopyBaseline.copyRows(job) { cells in
                if written % page == 0 { try db.beginTransaction() }
                var values = [cells[1], actor, at]
                values += corrected.map { cells[$0.1] }
                values.append(cells[0])
                statement.setUncheckedArguments(StatementArguments(values))
                try statement.execute()
                guard db.changesCount == 1 else { throw BenchError("the floor's copy of the replica has no record \(cells[0])") }
                written += 1
                if written % page == 0 { try db.commit() }
            }
            if db.isInsideTransaction { try db.commit() }
            return rows
        }
        return JobResult(seconds: [seconds(ContinuousClock.now - start)], peakRSS: Memory.peakRSS(), counts: ["rows": rows])
    }
}
