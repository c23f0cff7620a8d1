import AccordCore
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The baseline for initial sync and catch-up: the same rows out of PostgreSQL with `COPY ... TO STDOUT` (psql),
/// into a SQLite file with one prepared insert per row, in one transaction.
enum CopyBaseline {
    static func run(_ job: Job) async throws -> JobResult {
        let fields = BenchCollection.schema.fields
        let queue = try DatabaseQueue(path: job.file)
        try await queue.write { db in
            let columns = fields.map { "\($0.name) \($0.type.sqliteAffinity)" }.joined(separator: ", ")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS \(BenchCollection.name) (id TEXT PRIMARY KEY NOT NULL, _seq INTEGER NOT NULL, \(columns))")
        }
        let placeholders = Array(repeating: "?", count: fields.count + 2).joined(separator: ", ")
        let insert = "INSERT OR REPLACE INTO \(BenchCollection.name) (id, _seq, \(fields.map(\.name).joined(separator: ", "))) VALUES (\(placeholders))"

        Memory.resetPeak()
        let start = ContinuousClock.now
        let rows = try await queue.write { db -> Int in
            let statement = try db.makeStatement(sql: insert)
            return try copyRows(job) { values in
                statement.setUncheckedArguments(StatementArguments(values))
                try statement.execute()
            }
        }
        return JobResult(seconds: [seconds(ContinuousClock.now - start)], peakRSS: Memory.peakRSS(), counts: ["rows": rows])
    }

    /// Streams the job's rows (all of the organization's, or those changed since `job.since` for catch-up) out of
    /// PostgreSQL with psql's `COPY ... TO STDOUT` and hands each one's cells to `row`: id, seq, then the
    /// collection's fields in order. Returns how many rows it read.
    static func copyRows(_ job: Job, _ row: ([DatabaseValue]) throws -> Void) throws -> Int {
        let names = (["id", "seq"] + BenchCollection.schema.fields.map(\.name)).joined(separator: ", ")
        let changedOnly = job.since > 0 ? " AND seq > \(job.since)" : ""
        let copy = """
            COPY (SELECT \(names) FROM \(BenchCollection.name) WHERE org_id = '\(job.org.uuidString.lowercased())' \
            AND deleted_seq IS NULL\(changedOnly)) TO STDOUT
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: job.psql)
        process.arguments = ["-X", "-q", "-d", job.databaseURL, "-c", copy]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        var rows = 0
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            var lineStart = 0
            while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                try row(cells(pending[lineStart..<newline]))
                rows += 1
                lineStart = newline + 1
            }
            pending.removeFirst(lineStart)
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("psql COPY failed with status \(process.terminationStatus)") }
        return rows
    }

    /// One line of COPY's text format: tab-separated, `\N` for null. The generated data has no tabs,
    /// newlines or backslashes, so nothing else needs unescaping.
    private static func cells(_ line: ArraySlice<UInt8>) -> [DatabaseValue] {
        var values: [DatabaseValue] = []
        values.reserveCapacity(16)
        for cell in line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false) {
            if cell.count == 2, cell.first == UInt8(ascii: "\\"), cell.last == UInt8(ascii: "N") {
                values.append(.null)
            } else {
                values.append(String(decoding: cell, as: UTF8.self).databaseValue)
            }
        }
        return values
    }
}

extension FieldType {
    var sqliteAffinity: String {
        switch self {
        case .integer, .boolean: "INTEGER"
        case .real: "REAL"
        default: "TEXT"
        }
    }
}
