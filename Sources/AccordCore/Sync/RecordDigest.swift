public import Foundation

/// A 64-bit digest of one record's state, and the order-independent checksum of a collection built from them.
///
/// The checksum is the wrapping sum of the digests of every live record, so the server keeps it up to date
/// change by change (subtract the old digest, add the new) and a client recomputes it from its replica.
public enum RecordDigest {
    /// FNV-1a over the record's id, seq and canonical field values, in the collection's field order.
    public static func digest(id: UUID, seq: Int64, fields: RecordFields, schema: CollectionSchema) -> UInt64 {
        digest(idText: id.uuidString.lowercased(), seq: seq, fields: fields, schema: schema)
    }

    /// The same digest for an id already in its canonical lowercase spelling.
    public static func digest(idText: String, seq: Int64, fields: RecordFields, schema: CollectionSchema) -> UInt64 {
        digest(idText: idText, seq: seq, values: schema.fields.map { fields[$0.name] ?? .null }, schema: schema)
    }

    /// The same digest from the values of the collection's fields, in its field order.
    public static func digest(idText: String, seq: Int64, values: [FieldValue], schema: CollectionSchema) -> UInt64 {
        var builder = Builder(idText: idText, seq: seq)
        for (field, value) in zip(schema.fields, values) { builder.add(field, value) }
        return builder.hash
    }

    /// The digest built field by field, in the collection's field order, for values held in another form: a
    /// SQLite trigger hands over each column's bytes, which are digested in place instead of as a `String`.
    public struct Builder {
        private var fnv = FNV()

        /// Starts a record's digest from its id in its canonical lowercase spelling.
        public init(idText: String, seq: Int64) {
            fnv.mix(idText)
            fnv.mix(String(seq))
        }

        /// The same, from the id's UTF-8 bytes.
        public init(idText bytes: UnsafeRawBufferPointer, seq: Int64) {
            fnv.mix(bytes)
            fnv.mix(String(seq))
        }

        public var hash: UInt64 { fnv.hash }

        public mutating func add(_ field: FieldSchema, _ value: FieldValue) {
            if field.added && value == .null { return }
            fnv.mix(field.name)
            // The type-tagged spelling, so that the text "1" and the integer 1 differ; mixed piece by piece, which
            // hashes the same bytes as the joined text without building it.
            switch field.canonical(value) {
            case .null: fnv.mix("n")
            case .bool(let bool): fnv.mix(bool ? "b1" : "b0")
            case .int(let int): fnv.mix(tag: UInt8(ascii: "i"), String(int))
            case .double(let double): fnv.mix(tag: UInt8(ascii: "d"), double.description)
            case .text(let text): fnv.mix(tag: UInt8(ascii: "t"), text)
            }
        }

        /// A text value given as its UTF-8 bytes; digested as `add(field, .text(…))` digests it.
        public mutating func add(_ field: FieldSchema, text bytes: UnsafeRawBufferPointer) {
            guard field.isCanonical(text: bytes) else {
                add(field, .text(String(decoding: bytes, as: UTF8.self)))
                return
            }
            fnv.mix(field.name)
            fnv.mix(tag: UInt8(ascii: "t"), bytes)
        }
    }

    /// FNV-1a, with a separator byte after each text.
    private struct FNV {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func byte(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }

        mutating func mix(tag: UInt8? = nil, _ text: String) {
            if let tag { byte(tag) }
            // A native string's bytes are read in place; others are walked one by one.
            let inPlace: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
                for each in bytes { byte(each) }
            }
            if inPlace == nil {
                for each in text.utf8 { byte(each) }
            }
            byte(0xff)
        }

        mutating func mix(tag: UInt8? = nil, _ bytes: UnsafeRawBufferPointer) {
            if let tag { byte(tag) }
            for each in bytes { byte(each) }
            byte(0xff)
        }
    }
}

/// A collection's checksum and live row count at one seq.
public struct CollectionChecksum: Sendable, Codable, Equatable, CustomStringConvertible {
    public var checksum: UInt64
    public var rows: Int64

    public init(checksum: UInt64 = 0, rows: Int64 = 0) {
        self.checksum = checksum
        self.rows = rows
    }

    public mutating func add(_ digest: UInt64) {
        checksum &+= digest
        rows += 1
    }

    public mutating func remove(_ digest: UInt64) {
        checksum &-= digest
        rows -= 1
    }

    public var description: String { "\(rows) rows, checksum \(String(checksum, radix: 16))" }

    private enum CodingKeys: String, CodingKey { case checksum, rows }

    // Travels as hex text: JSON numbers above 2^53 lose precision in many parsers.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .checksum)
        guard let checksum = UInt64(text, radix: 16) else {
            throw DecodingError.dataCorruptedError(forKey: .checksum, in: container, debugDescription: "'\(text)' is not a hexadecimal checksum")
        }
        self.checksum = checksum
        rows = try container.decode(Int64.self, forKey: .rows)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(checksum, radix: 16), forKey: .checksum)
        try container.encode(rows, forKey: .rows)
    }
}
