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
        guard case .object(let page)? = document(), case .array(let items)? = page["changes"],
            case .number(let nextText)? = page["next"], let next = Int64(nextText), case .bool(let more)? = page["more"],
            case .string(let epochText)? = page["epoch"], let epoch = UUID(canonical: epochText)
        else { return nil }
        var checksums: [String: CollectionChecksum]?
        switch page["checksums"] {
        case nil, .null?: checksums = nil
        case .object(let sums)?:
            var read: [String: CollectionChecksum] = [:]
            for (collection, sum) in sums {
                guard case .object(let sum) = sum, case .string(let hex)? = sum["checksum"], let checksum = UInt64(hex, radix: 16),
                    case .number(let rowsText)? = sum["rows"], let rows = Int64(rowsText)
                else { return nil }
                read[collection] = CollectionChecksum(checksum: checksum, rows: rows)
            }
            checksums = read
        default: return nil
        }
        var changes: [Change] = []
        changes.reserveCapacity(items.count)
        for item in items {
            guard case .object(let members) = item, let change = Self.change(members) else { return nil }
            changes.append(change)
        }
        return PullResponse(changes: changes, next: next, more: more, epoch: epoch, checksums: checksums)
    }

    private static func change(_ members: Members) -> Change? {
        guard case .number(let seqText)? = members["seq"], let seq = Int64(seqText),
            case .string(let collection)? = members["collection"],
            case .string(let idText)? = members["recordID"], let recordID = UUID(canonical: idText),
            case .string(let operationText)? = members["operation"], let operation = MutationOperation(rawValue: operationText),
            case .string(let outcomeText)? = members["outcome"], let outcome = MergeOutcome(rawValue: outcomeText),
            case .object(let written)? = members["fields"], let fields = Self.fields(written),
            case .object(let replaced)? = members["previous"], let previous = Self.fields(replaced),
            case .object(let lost)? = members["overridden"], let overridden = Self.fields(lost),
            let actor = optionalUUID(members["actor"]), let clientID = optionalUUID(members["clientID"]),
            let mutationID = optionalInteger(members["mutationID"]),
            case .string(let stampText)? = members["timestamp"], let timestamp = HLCTimestamp(stampText),
            case .string(let atText)? = members["at"], let at = CanonicalTime.parse(atText)
        else { return nil }
        return Change(
            seq: seq, collection: collection, recordID: recordID, operation: operation, outcome: outcome, fields: fields,
            previous: previous, overridden: overridden, actor: actor, clientID: clientID, mutationID: mutationID,
            timestamp: timestamp, at: at
        )
    }

    /// `.some(nil)` for a null or missing member, nil for one that is not a UUID.
    private static func optionalUUID(_ value: Value?) -> UUID?? {
        switch value {
        case nil, .null?: .some(nil)
        case .string(let text)?: UUID(canonical: text).map { .some($0) }
        default: nil
        }
    }

    private static func optionalInteger(_ value: Value?) -> Int64?? {
        switch value {
        case nil, .null?: .some(nil)
        case .number(let text)?: Int64(text).map { .some($0) }
        default: nil
        }
    }
}
