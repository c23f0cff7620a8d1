/// A hybrid logical clock timestamp: wall-clock milliseconds, a counter for events within one
/// millisecond, and the client id that breaks the remaining ties.
///
/// Timestamps from different clients are totally ordered, and each client's own timestamps keep
/// increasing even when its wall clock steps back.
public struct HLCTimestamp: Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var millis: Int64
    public var counter: UInt32
    public var node: String

    public init(millis: Int64, counter: UInt32 = 0, node: String) {
        self.millis = millis
        self.counter = counter
        self.node = node
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.millis, lhs.counter, lhs.node) < (rhs.millis, rhs.counter, rhs.node)
    }

    /// `<millis>-<counter>-<node>`, zero-padded so that text order is time order.
    public var description: String {
        let millis = String(millis)
        let counter = String(counter)
        return String(repeating: "0", count: max(0, 15 - millis.count)) + millis + "-"
            + String(repeating: "0", count: max(0, 10 - counter.count)) + counter + "-" + node
    }

    /// Parses `description`'s form.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let millis = Int64(parts[0]), let counter = UInt32(parts[1]), !parts[2].isEmpty else { return nil }
        self.init(millis: millis, counter: counter, node: String(parts[2]))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let timestamp = HLCTimestamp(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a timestamp like 001732400000000-0000000000-client"))
        }
        self = timestamp
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Issues increasing timestamps for one node (a client or the server).
public struct HybridLogicalClock: Sendable {
    public let node: String
    public private(set) var last: HLCTimestamp

    public init(node: String, last: HLCTimestamp? = nil) {
        self.node = node
        self.last = last ?? HLCTimestamp(millis: 0, node: node)
    }

    /// How far ahead of the server's wall clock an edit may be stamped. A device whose clock was set far ahead
    /// would otherwise win every last-writer-wins field for as long as its clock stays wrong.
    public static let maxLeadMillis: Int64 = 24 * 60 * 60 * 1000

    /// The timestamp of a local event at wall-clock time `now` (milliseconds since 1970).
    public mutating func tick(now: Int64) -> HLCTimestamp {
        if last.millis - now > Self.maxLeadMillis {
            // The clock was once set far ahead and has been corrected; the server refused what was stamped then.
            last = HLCTimestamp(millis: now, node: node)
        } else if now > last.millis {
            last = HLCTimestamp(millis: now, node: node)
        } else {
            last = advanced(millis: last.millis, counter: last.counter)
        }
        return last
    }

    /// Takes in a timestamp seen from elsewhere, so that every later local event orders after it.
    public mutating func observe(_ remote: HLCTimestamp, now: Int64) {
        let millis = max(now, last.millis, remote.millis)
        if millis == last.millis && millis == remote.millis {
            last = advanced(millis: millis, counter: max(last.counter, remote.counter))
        } else if millis == last.millis {
            last = advanced(millis: millis, counter: last.counter)
        } else if millis == remote.millis {
            last = advanced(millis: millis, counter: remote.counter)
        } else {
            last = HLCTimestamp(millis: millis, node: node)
        }
    }

    /// The next counter value, moving on to the next millisecond if the counter is exhausted.
    private func advanced(millis: Int64, counter: UInt32) -> HLCTimestamp {
        counter == .max ? HLCTimestamp(millis: millis + 1, node: node) : HLCTimestamp(millis: millis, counter: counter + 1, node: node)
    }
}
