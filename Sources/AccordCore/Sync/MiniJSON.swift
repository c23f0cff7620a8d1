import Foundation

/// A JSON reader for the messages a sync moves in bulk: snapshot record lines and pull pages. It reads each value
/// as the type its caller expects, member by member, without building a tree of the document first: a pull page
/// of 1,000 changes would otherwise allocate a dozen nodes per change only to take them apart again. It returns
/// nil (or false) rather than explaining, since its callers fall back to `JSONDecoder`, which explains.
struct MiniJSON {
    /// An object member's key: its bytes as written, which match a name only when written without escapes.
    struct Key {
        let bytes: UnsafeRawBufferPointer

        static func ~= (name: StaticString, key: Key) -> Bool {
            name.utf8CodeUnitCount == key.bytes.count && memcmp(name.utf8Start, key.bytes.baseAddress!, key.bytes.count) == 0
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0
    var names: CollectionNames

    init(bytes: UnsafeRawBufferPointer, names: CollectionNames = CollectionNames()) {
        self.bytes = bytes
        self.names = names
    }

    /// Whether nothing but space is left.
    mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    /// Reads an object, handing each member's key to `member`, which reads its value; false when the bytes are not
    /// an object or `member` fails. A repeated key is read again, so its last value wins.
    mutating func object(_ member: (inout MiniJSON, Key) -> Bool) -> Bool {
        skipSpace()
        guard next(is: "{") else { return false }
        skipSpace()
        if next(is: "}") { return true }
        while true {
            skipSpace()
            guard let key = rawString() else { return false }
            skipSpace()
            guard next(is: ":"), member(&self, Key(bytes: key)) else { return false }
            skipSpace()
            if next(is: ",") { continue }
            return next(is: "}")
        }
    }

    /// Reads an array, calling `element` to read each element.
    mutating func array(_ element: (inout MiniJSON) -> Bool) -> Bool {
        skipSpace()
        guard next(is: "[") else { return false }
        skipSpace()
        if next(is: "]") { return true }
        while true {
            guard element(&self) else { return false }
            skipSpace()
            if next(is: ",") { continue }
            return next(is: "]")
        }
    }

    /// Values nested deeper than this are not read here: a hostile server could otherwise exhaust the stack.
    /// The caller's fallback, `JSONDecoder`, has a limit of its own and explains.
    static let maxDepth = 64

    /// Reads and discards a value of any kind.
    mutating func skip(depth: Int = 0) -> Bool {
        skipSpace()
        guard index < bytes.count, depth < Self.maxDepth else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object { parser, _ in parser.skip(depth: depth + 1) }
        case UInt8(ascii: "["): return array { $0.skip(depth: depth + 1) }
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return bool() != nil
        case UInt8(ascii: "n"): return null()
        default: return numberBytes() != nil
        }
    }

    /// Consumes `null` when it comes next.
    mutating func null() -> Bool {
        skipSpace()
        return expect("null")
    }

    /// A value that may be null: `.some(nil)` for null, nil when `read` fails.
    mutating func optional<Value>(_ read: (inout MiniJSON) -> Value?) -> Value?? {
        if null() { return .some(nil) }
        return read(&self).map { .some($0) }
    }

    mutating func bool() -> Bool? {
        skipSpace()
        if expect("true") { return true }
        if expect("false") { return false }
        return nil
    }

    /// An integer written without a fraction or exponent that fits 64 bits.
    mutating func integer() -> Int64? {
        numberBytes().flatMap(Self.integer)
    }

    /// A number as `FieldValue` decodes it: an integer when it is one, otherwise a double.
    mutating func number() -> FieldValue? {
        guard let digits = numberBytes() else { return nil }
        if let int = Self.integer(digits) { return .int(int) }
        return Self.double(digits).map(FieldValue.double)
    }

    /// A string's bytes when it has no escapes, which spares building a `String`; nil otherwise.
    mutating func plainString() -> UnsafeRawBufferPointer? {
        skipSpace()
        let start = index
        guard let raw = rawString(), !raw.contains(UInt8(ascii: "\\")) else {
            index = start
            return nil
        }
        return raw
    }

    mutating func uuid() -> UUID? {
        guard let text = plainString() else { return nil }
        return UUID(canonicalBytes: text.assumingMemoryBound(to: UInt8.self))
    }

    /// A collection's name; a name read before is shared rather than allocated again for every change or record.
    mutating func collectionName() -> String? {
        guard let bytes = plainString() else { return string() }
        return names.name(spelledBy: bytes)
    }

    /// A record's field values, as `FieldValue` decodes them from JSON.
    mutating func fields() -> RecordFields? {
        // Room is made at the first member: a change's `overridden` and `previous` are often empty.
        var fields: RecordFields = [:]
        let read = object { parser, key in
            if fields.isEmpty { fields.reserveCapacity(16) }
            let value: FieldValue?
            switch parser.nextByte() {
            case UInt8(ascii: "\""): value = parser.string().map(FieldValue.text)
            case UInt8(ascii: "t"), UInt8(ascii: "f"): value = parser.bool().map(FieldValue.bool)
            case UInt8(ascii: "n"): value = parser.null() ? .null : nil
            default: value = parser.number()
            }
            guard let value else { return false }
            fields[key.text] = value
            return true
        }
        return read ? fields : nil
    }

    mutating func string() -> String? {
        skipSpace()
        guard let raw = rawString() else { return nil }
        return raw.contains(UInt8(ascii: "\\")) ? Self.unescaped(raw) : String(decoding: raw, as: UTF8.self)
    }

    // MARK: - Bytes

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    /// The first byte after any space, not consumed.
    private mutating func nextByte() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func next(is character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// The bytes between a string's quotes, escapes still in place.
    private mutating func rawString() -> UnsafeRawBufferPointer? {
        guard next(is: "\"") else { return nil }
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return nil
    }

    private mutating func numberBytes() -> UnsafeRawBufferPointer? {
        skipSpace()
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        return index > start ? UnsafeRawBufferPointer(rebasing: bytes[start..<index]) : nil
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): true
        default: false
        }
    }

    /// Digits with an optional sign, as `Int64(_:)` reads them; nil for anything else or an overflow.
    private static func integer(_ text: UnsafeRawBufferPointer) -> Int64? {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = negative ? times.subtractingReportingOverflow(Int64(digit)) : times.addingReportingOverflow(Int64(digit))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
        }
        return value
    }

    /// A number's bytes read by `strtod` from a copy on the stack, which spares building a `String` for each; a
    /// number it does not read to the end (a locale with another decimal separator) goes through `Double(_:)`.
    private static func double(_ text: UnsafeRawBufferPointer) -> Double? {
        let read = withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer -> Double? in
            guard let start = buffer.baseAddress else { return nil }
            // `copyMemory`, not `copyBytes(to:)`: the latter is Foundation's generic `DataProtocol` path, byte by byte.
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: text)
            buffer[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(start, &end)
            return end == start + text.count ? value : nil
        }
        return read ?? Double(String(decoding: text, as: UTF8.self))
    }

    /// A string's text with its escapes resolved; nil for an invalid escape.
    private static func unescaped(_ raw: UnsafeRawBufferPointer) -> String? {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll(keepingCapacity: true)
        }
        var index = 0
        func hex4() -> UInt32? {
            guard index + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(raw[index])).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                continue
            }
            guard index < raw.count else { return nil }
            let escape = raw[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0c)
            case UInt8(ascii: "n"): utf8.append(0x0a)
            case UInt8(ascii: "r"): utf8.append(0x0d)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard var unit = hex4() else { return nil }
                flush()
                if (0xd800..<0xdc00).contains(unit) {
                    // A surrogate pair spells a scalar outside the basic plane.
                    guard index + 2 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") else { return nil }
                    index += 2
                    guard let low = hex4(), (0xdc00..<0xe000).contains(low) else { return nil }
                    unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                }
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                scalars.append(scalar)
            default: return nil
            }
        }
        flush()
        return String(scalars)
    }
}
