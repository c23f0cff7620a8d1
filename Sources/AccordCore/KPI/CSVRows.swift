/// Splits CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records as its bytes arrive, so an
/// import of any size is read in pieces and never held whole. Hand-written because the CSV libraries at hand
/// parse a whole string or a blocking stream, and an import arrives as an asynchronous HTTP body.
public struct CSVRows: Sendable {
    /// A record and the line it starts on, counted from 1.
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var quoted = false
    /// A quote inside a quoted field: either the end of the field or the first of a doubled quote.
    private var quoteSeen = false
    private var line = 1
    private var rowLine = 1
    private var afterCR = false

    public init() {}

    /// The records completed by `bytes`.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Row] {
        var rows: [Row] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            if quoted {
                if quoteSeen {
                    quoteSeen = false
                    if byte == UInt8(ascii: "\"") { field.append(byte); continue }
                    quoted = false
                } else if byte == UInt8(ascii: "\"") {
                    quoteSeen = true
                    continue
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: "\"") where field.isEmpty:
                quoted = true
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                afterCR = byte == UInt8(ascii: "\r")
                if let row = endRow() { rows.append(row) }
                line += 1
                rowLine = line
            default:
                field.append(byte)
            }
        }
        return rows
    }

    /// The last record, when the input does not end with a line break.
    public mutating func finish() -> Row? {
        quoteSeen = false
        quoted = false
        return endRow()
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRow() -> Row? {
        if fields.isEmpty && field.isEmpty { return nil }
        endField()
        defer { fields.removeAll(keepingCapacity: true) }
        return Row(line: rowLine, fields: fields)
    }
}
