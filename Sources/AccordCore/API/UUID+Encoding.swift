public import Foundation

// Foundation encodes a UUID in upper case, while the sync protocol, the replica and its file names spell it in
// lower case. These overloads are more specific than the containers' generic `encode`, so every `Codable` type
// compiled against AccordCore (synthesized conformances included) writes ids in the one lower-case spelling.
// Decoding is Foundation's, which reads either case.

extension KeyedEncodingContainer {
    public mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.lowercasedText, forKey: key)
    }

    public mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        try encodeIfPresent(value?.lowercasedText, forKey: key)
    }

    public mutating func encode(_ value: [UUID], forKey key: Key) throws {
        try encode(value.map(\.lowercasedText), forKey: key)
    }
}
