public import Foundation

extension SnapshotLine {
    /// Reads one line of a snapshot. Record lines, nearly all of a snapshot, are read by a small parser made
    /// for their shape; anything else, and any record line it cannot read, goes through `JSONDecoder`.
    public static func parse(_ line: UnsafeRawBufferPointer, decoder: JSONDecoder) throws -> SnapshotLine {
        var parser = MiniJSON(bytes: line)
        if let record = parser.record() { return .record(record) }
        return try decoder.decode(SnapshotLine.self, from: Data(line))
    }
}

extension MiniJSON {
    /// A `{"record": {…}}` line.
    mutating func record() -> SnapshotRecord? {
        guard case .object(let line)? = document(), line.count == 1, case .object(let record)? = line["record"],
            case .string(let collection)? = record["collection"],
            case .string(let idText)? = record["id"], let id = UUID(canonical: idText),
            case .number(let seqText)? = record["seq"], let seq = Int64(seqText),
            case .object(let values)? = record["fields"],
            case .string(let updatedText)? = record["updatedAt"], let updatedAt = FieldSchema.parseTime(updatedText)
        else { return nil }
        guard let fields = MiniJSON.fields(values) else { return nil }
        func user(_ key: String) -> UUID?? {
            switch record[key] {
            case .null?, nil: .some(nil)
            case .string(let text)?: UUID(canonical: text).map { .some($0) }
            default: nil
            }
        }
        guard let createdBy = user("createdBy"), let updatedBy = user("updatedBy") else { return nil }
        return SnapshotRecord(collection: collection, id: id, seq: seq, fields: fields, createdBy: createdBy, updatedBy: updatedBy, updatedAt: updatedAt)
    }
}
