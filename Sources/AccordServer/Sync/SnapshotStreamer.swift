import AccordCore
import Foundation
import Hummingbird
import NIOCore
import PostgresNIO

/// Writes every live record of an organization as newline-delimited JSON, straight from PostgreSQL's row
/// stream to the response in chunks, so the organization is never held in memory.
struct SnapshotStreamer: Sendable {
    /// Bytes gathered before a write to the socket.
    static let chunkSize = 64 << 10
    let catalog: Catalog

    func stream(org: UUID, in tx: Transaction, timeLimit: Duration, to writer: inout any ResponseBodyWriter) async throws {
        // PostgreSQL ends a statement that runs longer, even one blocked on a client that stopped reading. Records go
        // out in id order, which a replica writes fastest; read in that order from the primary key, the first
        // arrives at once, whereas a sort would hold every record back until the last was read.
        try await tx.query(PostgresQuery(unsafeSQL: """
            SELECT set_config('statement_timeout', '\(timeLimit.components.seconds * 1000)', true), set_config('enable_sort', 'off', true)
            """))
        let log = SyncLog(catalog: catalog)
        let head = try await log.head(org: org, in: tx)
        let checksums = head.checksums
        let encoder = SyncCoding.encoder()
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.chunkSize + 4_096)
        func append(_ line: SnapshotLine) throws {
            buffer.writeBytes(try encoder.encode(line))
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        try append(.header(SnapshotHeader(seq: head.seq, epoch: head.epoch, rows: checksums.values.reduce(0) { $0 + $1.rows })))
        for schema in catalog.collections {
            let table = CollectionTable(schema: schema)
            for try await row in try await table.liveRecordLines(org: org, in: tx) {
                var line = try row.decode(ByteBuffer.self)
                buffer.writeBuffer(&line)
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes >= Self.chunkSize {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
        }
        try append(.end(SnapshotEnd(checksums: checksums)))
        try await writer.write(buffer)
    }
}
