public import Foundation

/// The type of a synced field; each maps onto a real column type in PostgreSQL and in SQLite.
public enum FieldType: String, Sendable, Codable {
    case text
    case integer
    case real
    case boolean
    /// An ISO 8601 instant, such as `2026-11-24T09:30:00Z`.
    case timestamp
    case uuid
    /// Another record, written `collection/uuid`.
    case reference
    /// An object or an array, such as structured criteria or a dashboard's tiles, carried as its canonical JSON
    /// text (`CanonicalJSON`) and merged as one value.
    case json
    /// A calendar date such as `2026-07-01`, for periods.
    case date
}

/// How the server resolves a field that changed on the server since the editing client last saw it.
public enum MergePolicy: String, Sendable, Codable {
    /// The edit with the later hybrid-logical-clock timestamp wins; the losing value stays in the change log.
    case lww
    /// The server keeps its value and records a conflict with the base, server and client values for a person to resolve.
    case review
}

/// One field of a collection.
public struct FieldSchema: Sendable {
    public var name: String
    public var type: FieldType
    public var policy: MergePolicy
    /// A required field must be present and non-null on create, and cannot be set to null.
    public var required: Bool
    public var maxLength: Int?
    /// When set, the only text values the field accepts.
    public var allowedValues: [String]?
    /// Declared after the collection had records: the field is optional, and while it is null it leaves a
    /// record's digest as it was before the field existed, so the checksums the server and every replica keep
    /// stay valid without a recount.
    public var added: Bool
    /// Set by the server only (such as what a conflict is about); a client's write of it is refused, on the
    /// client at once and on the server again.
    public var serverOwned: Bool
    /// Markdown text whose `[[Term]]` links the reference index follows, like its `reference` fields.
    public var markdown: Bool

    public init(
        _ name: String, _ type: FieldType, _ policy: MergePolicy, required: Bool = false, maxLength: Int? = nil,
        allowedValues: [String]? = nil, added: Bool = false, serverOwned: Bool = false, markdown: Bool = false
    ) {
        self.serverOwned = serverOwned
        self.markdown = markdown
        self.name = name
        self.type = type
        self.policy = policy
        self.required = required
        self.maxLength = maxLength
        self.allowedValues = allowedValues
        self.added = added
    }

    /// Checks one value against the field's type and limits.
    public func check(_ value: FieldValue) -> FieldError? {
        if value == .null {
            return required ? FieldError(field: name, message: "is required and cannot be null") : nil
        }
        switch (type, value) {
        case (.text, .text(let text)):
            if let allowedValues, !allowedValues.contains(text) {
                return FieldError(field: name, message: "must be one of \(allowedValues.joined(separator: ", "))")
            }
            if let maxLength, text.count > maxLength {
                return FieldError(field: name, message: "must be at most \(maxLength) characters long")
            }
            let byteLimit = maxLength.map(TextLimit.bytes(forCharacters:)) ?? TextLimit.undeclaredBytes
            if text.utf8.count > byteLimit {
                return FieldError(field: name, message: "is too large: at most \(byteLimit) bytes")
            }
            // PostgreSQL text cannot hold NUL, so such a value could never be stored on the server.
            if text.utf8.contains(0) {
                return FieldError(field: name, message: "cannot contain the NUL character (U+0000)")
            }
            return nil
        case (.integer, .int), (.real, .int), (.real, .double), (.boolean, .bool):
            return nil
        case (.timestamp, .text(let text)):
            return Self.parseTime(text) == nil ? FieldError(field: name, message: "must be an ISO 8601 time such as 2026-11-24T09:30:00Z") : nil
        case (.date, .text(let text)):
            return CalendarDate.days(text) == nil ? FieldError(field: name, message: "must be a calendar date such as 2026-07-01") : nil
        case (.json, .text(let text)):
            guard let canonical = CanonicalJSON.canonical(text) else {
                return FieldError(field: name, message: "must be a JSON object or array, such as {\"stage\": \"MQL\"}")
            }
            if let maxLength, canonical.utf8.count > maxLength {
                return FieldError(field: name, message: "must be at most \(maxLength) bytes of JSON")
            }
            // PostgreSQL's jsonb cannot hold NUL either.
            if canonical.contains("\\u0000") {
                return FieldError(field: name, message: "cannot contain the NUL character (U+0000)")
            }
            return nil
        case (.uuid, .text(let text)):
            return UUID(uuidString: text) == nil ? FieldError(field: name, message: "must be a UUID") : nil
        case (.reference, .text(let text)):
            let parts = text.split(separator: "/")
            return parts.count == 2 && UUID(uuidString: String(parts[1])) != nil
                ? nil : FieldError(field: name, message: "must reference a record as collection/uuid")
        default:
            return FieldError(field: name, message: "must be \(type.article) \(type.rawValue)")
        }
    }
}

extension FieldType {
    fileprivate var article: String { [.integer, .uuid].contains(self) ? "an" : "a" }
}

/// A synced collection, declared once and used unchanged by the server, the client and their tables.
public struct CollectionSchema: Sendable {
    public var name: String
    public var fields: [FieldSchema]
    /// Append-only records (such as measurements) accept creates only.
    public var appendOnly: Bool
    /// Records only the server creates (such as conflicts); clients may still update them.
    public var serverCreated: Bool
    /// Lookups the server makes besides by id, each an index on its table.
    public var indexes: [CollectionIndex]
    /// Checks beyond the fields' own, run by `WritePolicy` on the server and on the replica alike.
    public var rules: [CollectionRule]

    public init(
        name: String, fields: [FieldSchema], appendOnly: Bool = false, serverCreated: Bool = false, indexes: [CollectionIndex] = [],
        rules: [CollectionRule] = []
    ) {
        self.name = name
        self.fields = fields
        self.appendOnly = appendOnly
        self.serverCreated = serverCreated
        self.indexes = indexes
        self.rules = rules
    }

    /// Column names every synced table carries besides the collection's own fields.
    public static let reservedNames: Set<String> = [
        "org_id", "id", "seq", "field_seqs", "field_stamps", "deleted_seq", "deleted_stamp", "created_by",
        "created_client", "created_at", "updated_by", "updated_client", "updated_at",
    ]

    public func field(_ name: String) -> FieldSchema? {
        fields.first { $0.name == name }
    }

    /// Checks the fields a change carries: known names, right types, on create every required field, and unless
    /// the server makes the change, none the server owns.
    public func validate(_ values: RecordFields, creating: Bool, serverMade: Bool = false) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let field = field(name) else {
                errors.append(FieldError(field: name, message: "is not a field of \(self.name); its fields are \(fields.map(\.name).joined(separator: ", "))"))
                continue
            }
            if field.serverOwned && !serverMade {
                errors.append(FieldError(field: name, message: "is set by the server and cannot be changed"))
                continue
            }
            if let error = field.check(value) { errors.append(error) }
        }
        if creating {
            for field in fields where field.required && values[field.name] == nil {
                errors.append(FieldError(field: field.name, message: "is required"))
            }
        }
        return errors
    }
}

extension FieldSchema {
    /// The one spelling of a valid value that every replica stores and digests: reals as doubles,
    /// UUIDs in lower case, and times as UTC with milliseconds.
    public func canonical(_ value: FieldValue) -> FieldValue {
        switch (type, value) {
        case (.real, .int(let int)):
            return .double(Double(int))
        case (.uuid, .text(let text)), (.reference, .text(let text)):
            // Nearly always lowercase already; checking is cheaper than copying.
            return text.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? .text(text.lowercased()) : value
        case (.timestamp, .text(let text)):
            guard !CanonicalTime.isCanonical(text), let date = Self.parseTime(text) else { return value }
            return .text(Self.canonicalTime(date))
        case (.json, .text(let text)):
            return CanonicalJSON.canonical(text).map(FieldValue.text) ?? value
        default:
            return value
        }
    }

    /// Whether text of this field's type is already in its canonical spelling, as `canonical` would leave it.
    public func isCanonical(text bytes: UnsafeRawBufferPointer) -> Bool {
        switch type {
        case .uuid, .reference: !bytes.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        case .timestamp: CanonicalTime.isCanonical(bytes: bytes)
        // Telling needs a parse; the caller then digests the text through `canonical`.
        case .json: false
        default: true
        }
    }

    private static let fractionalTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// An ISO 8601 time with or without fractional seconds.
    public static func parseTime(_ text: String) -> Date? {
        CanonicalTime.parse(text) ?? (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: fractionalTime))
    }

    /// `2026-11-24T09:30:00.000Z`.
    public static func canonicalTime(_ date: Date) -> String {
        CanonicalTime.format(date)
    }
}

extension CollectionSchema {
    /// `values` in their canonical spelling; fields the collection does not declare are left as they are.
    public func canonical(_ values: RecordFields) -> RecordFields {
        values.reduce(into: [:]) { result, entry in
            result[entry.key] = field(entry.key)?.canonical(entry.value) ?? entry.value
        }
    }
}

/// An index of a collection's table on some of its fields, within each organization, optionally only over the
/// records whose `field` holds `value` (such as the open conflicts). Its table's index is `<collection>_<name>_idx`.
public struct CollectionIndex: Sendable, Equatable {
    public var name: String
    public var fields: [String]
    public var only: (field: String, value: String)?

    public init(_ name: String, on fields: [String], only: (field: String, value: String)? = nil) {
        self.name = name
        self.fields = fields
        self.only = only
    }

    public static func == (lhs: CollectionIndex, rhs: CollectionIndex) -> Bool {
        lhs.name == rhs.name && lhs.fields == rhs.fields && lhs.only?.field == rhs.only?.field && lhs.only?.value == rhs.only?.value
    }
}
