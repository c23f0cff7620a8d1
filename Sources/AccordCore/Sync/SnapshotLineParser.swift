public import Foundation

extension SnapshotLine {
    /// Reads one line of a snapshot. Record lines, nearly all of a snapshot, are read by a small parser made
    /// for their shape; anything else, and any record line it cannot read, goes through `JSONDecoder`.
    public static func parse(_ line: UnsafeRawBufferPointer, decoder: JSONDecoder) throws -> SnapshotLine {
        var names = CollectionNames()
        return try parse(line, decoder: decoder, names: &names)
    }

    /// The same, sharing collection names across the lines of one snapshot.
    public static func parse(_ line: UnsafeRawBufferPointer, decoder: JSONDecoder, names: inout CollectionNames) throws -> SnapshotLine {
        var parser = MiniJSON(bytes: line, names: names)
        defer { names = parser.names }
        if let record = parser.recordLine() { return .record(record) }
        return try decoder.decode(SnapshotLine.self, from: Data(line))
    }
}

extension MiniJSON {
    /// A `{"record": {…}}` line.
    mutating func recordLine() -> SnapshotRecord? {
        var record: SnapshotRecord?
        var members = 0
        let read = object { parser, key in
            members += 1
            guard case "record" = key else { return false }
            record = parser.record()
            return record != nil
        }
        guard read, members == 1, atEnd() else { return nil }
        return record
    }

    private mutating func record() -> SnapshotRecord? {
        var collection: String?, id: UUID?, seq: Int64?, fields: RecordFields?, updatedAt: Date?
        var createdBy: UUID?? = .some(nil), updatedBy: UUID?? = .some(nil)
        let read = object { parser, key in
            switch key {
            case "collection": collection = parser.collectionName()
            case "id": id = parser.uuid()
            case "seq": seq = parser.integer()
            case "fields": fields = parser.fields()
            case "createdBy": createdBy = parser.optional { $0.uuid() }
            case "updatedBy": updatedBy = parser.optional { $0.uuid() }
            case "updatedAt": updatedAt = parser.string().flatMap(FieldSchema.parseTime)
            default: return parser.skip()
            }
            return true
        }
        guard read, let collection, let id, let seq, let fields, let updatedAt, let createdBy, let updatedBy else { return nil }
        return SnapshotRecord(collection: collection, id: id, seq: seq, fields: fields, createdBy: createdBy, updatedBy: updatedBy, updatedAt: updatedAt)
    }
}
