public import Foundation

extension PullResponse {
    /// Reads a pull page. A page carries up to thousands of changes, which a parser made for their shape reads
    /// several times faster than `JSONDecoder`; a page it cannot read goes through `JSONDecoder`, which says
    /// what is wrong with it.
    public static func parse(_ bytes: UnsafeRawBufferPointer, decoder: JSONDecoder) throws -> PullResponse {
        var parser = MiniJSON(bytes: bytes)
        if let page = parser.pullPage() { return page }
        return try decoder.decode(PullResponse.self, from: Data(bytes))
    }
}

extension MiniJSON {
    /// A whole `PullResponse`, read as its `Codable` conformance would.
    mutating func pullPage() -> PullResponse? {
        var changes: [Change]?, next: Int64?, more: Bool?, epoch: UUID?
        var checksums: [String: CollectionChecksum]?
        let read = object { parser, key in
            switch key {
            case "changes":
                var read: [Change] = []
                read.reserveCapacity(SyncProtocol.defaultPullLimit)
                changes = read
                return parser.array { parser in
                    guard let change = parser.change() else { return false }
                    changes!.append(change)
                    return true
                }
            case "next": next = parser.integer()
            case "more": more = parser.bool()
            case "epoch": epoch = parser.uuid()
            case "checksums":
                guard let read = parser.optional({ $0.checksums() }) else { return false }
                checksums = read
            default: return parser.skip()
            }
            return true
        }
        guard read, atEnd(), let changes, let next, let more, let epoch else { return nil }
        return PullResponse(changes: changes, next: next, more: more, epoch: epoch, checksums: checksums)
    }

    private mutating func checksums() -> [String: CollectionChecksum]? {
        var sums: [String: CollectionChecksum] = [:]
        let read = object { parser, collection in
            var checksum: UInt64?, rows: Int64?
            let read = parser.object { parser, key in
                switch key {
                case "checksum": checksum = parser.string().flatMap { UInt64($0, radix: 16) }
                case "rows": rows = parser.integer()
                default: return parser.skip()
                }
                return true
            }
            guard read, let checksum, let rows else { return false }
            sums[collection.text] = CollectionChecksum(checksum: checksum, rows: rows)
            return true
        }
        return read ? sums : nil
    }

    private mutating func change() -> Change? {
        var seq: Int64?, collection: String?, recordID: UUID?, operation: MutationOperation?, outcome: MergeOutcome?
        var fields: RecordFields?, previous: RecordFields?, overridden: RecordFields?
        var timestamp: HLCTimestamp?, at: Date?
        // Absent when nil, as `Change` encodes them.
        var actor: UUID?? = .some(nil), clientID: UUID?? = .some(nil), mutationID: Int64?? = .some(nil)
        let read = object { parser, key in
            switch key {
            case "seq": seq = parser.integer()
            case "collection": collection = parser.collectionName()
            case "recordID": recordID = parser.uuid()
            case "operation": operation = parser.string().flatMap(MutationOperation.init(rawValue:))
            case "outcome": outcome = parser.string().flatMap(MergeOutcome.init(rawValue:))
            case "fields": fields = parser.fields()
            case "previous": previous = parser.fields()
            case "overridden": overridden = parser.fields()
            case "actor": actor = parser.optional { $0.uuid() }
            case "clientID": clientID = parser.optional { $0.uuid() }
            case "mutationID": mutationID = parser.optional { $0.integer() }
            case "timestamp": timestamp = parser.string().flatMap(HLCTimestamp.init)
            case "at": at = parser.plainString().flatMap { CanonicalTime.parse(bytes: $0.assumingMemoryBound(to: UInt8.self)) }
            default: return parser.skip()
            }
            return true
        }
        guard read, let seq, let collection, let recordID, let operation, let outcome, let fields, let previous, let overridden,
            let actor, let clientID, let mutationID, let timestamp, let at
        else { return nil }
        return Change(
            seq: seq, collection: collection, recordID: recordID, operation: operation, outcome: outcome, fields: fields,
            previous: previous, overridden: overridden, actor: actor, clientID: clientID, mutationID: mutationID,
            timestamp: timestamp, at: at
        )
    }
}
