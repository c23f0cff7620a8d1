public import Foundation

/// An organization's governed setup as files hold it: every record of every kind under its name, its fields
/// readable (references by name, JSON as structure), and the ids kept apart so the files stay the same from
/// one organization to the next.
public struct OrgSetup: Sendable, Equatable {
    public typealias Fields = [String: SetupValue]

    /// Kind → record name → fields.
    public var records: [String: [String: Fields]] = [:]
    /// Kind → record name → id in this organization: the lock.
    public var ids: [String: [String: UUID]] = [:]
    /// Each definition's certified version, by term: what a proposal from the files is based on.
    public var versions: [String: UUID] = [:]
    /// The text of each certified definition's newest open proposal, by term, so the same change is not
    /// proposed twice.
    public var proposed: [String: Fields] = [:]

    public init(records: [String: [String: Fields]] = [:], ids: [String: [String: UUID]] = [:], versions: [String: UUID] = [:]) {
        self.records = records
        self.ids = ids
        self.versions = versions
    }

    /// The separator of a name made of several fields (a target's KPI, period and segment).
    public static let keySeparator = " · "

    /// Reads the setup from an organization's records; `load` gives a collection's live records.
    public static func read(catalog: Catalog, load: (String) throws -> [UUID: RecordFields]) throws -> OrgSetup {
        var setup = OrgSetup()
        var loaded: [String: [UUID: RecordFields]] = [:]
        for kind in SetupKind.all { loaded[kind.name] = try load(kind.collection) }
        let versions = try load(CollectionSchema.definitionVersions.name)
        // Names first, kind by kind in import order, so a target can be named by its KPI's key.
        var names: [String: [UUID: String]] = [:]
        for kind in SetupKind.all {
            var taken: [String: UUID] = [:]
            for (id, fields) in (loaded[kind.name] ?? [:]).sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
                var name = Self.name(of: fields, kind: kind, names: names)
                // Two records of one name stay apart by their id's first characters.
                if taken[name] != nil { name += " #" + id.lowercasedText.prefix(8) }
                taken[name] = id
                names[kind.name, default: [:]][id] = name
            }
            setup.ids[kind.name] = taken
        }
        for kind in SetupKind.all {
            let schema = try catalog.schema(kind.collection)
            for (id, fields) in loaded[kind.name] ?? [:] {
                guard let name = names[kind.name]?[id] else { continue }
                var merged = fields
                if kind.name == SetupKind.definitions.name, let (versionID, version) = Self.shownVersion(of: id, fields, versions) {
                    for field in SetupKind.versionFields { merged[field] = version[field] }
                    if fields.reference("current_version", into: CollectionSchema.definitionVersions.name) == versionID {
                        setup.versions[name] = versionID
                        if let (_, open) = Self.openProposal(of: id, versions) {
                            let versionSchema = CollectionSchema.definitionVersions
                            setup.proposed[name] = SetupKind.versionFields.reduce(into: Fields()) { result, field in
                                result[field] = Self.value(open[field], type: versionSchema.field(field)?.type ?? .text, reference: nil)
                            }
                        }
                    }
                }
                var values: Fields = [:]
                for field in kind.fields {
                    let type = schema.field(field)?.type ?? CollectionSchema.definitionVersions.field(field)?.type ?? .text
                    if let value = Self.value(merged[field], type: type, reference: kind.references[field].flatMap { names[$0] }) { values[field] = value }
                }
                setup.records[kind.name, default: [:]][name] = values
            }
        }
        return setup
    }

    /// A record's name: its key fields' values, references by the referred record's name.
    static func name(of fields: RecordFields, kind: SetupKind, names: [String: [UUID: String]]) -> String {
        kind.keyFields.compactMap { field -> String? in
            guard let value = fields[field], value != .null else { return nil }
            if let target = kind.references[field], case .text(let text) = value, let id = UUID(canonical: String(text.split(separator: "/").last ?? "")) {
                return names[target]?[id] ?? text
            }
            return value.description
        }.joined(separator: keySeparator)
    }

    /// The version a definition's file shows: its certified one, else the latest proposed or drafted.
    static func shownVersion(of definition: UUID, _ fields: RecordFields, _ versions: [UUID: RecordFields]) -> (UUID, RecordFields)? {
        if let current = fields.reference("current_version", into: CollectionSchema.definitionVersions.name), let version = versions[current] { return (current, version) }
        return openProposal(of: definition, versions)
    }

    /// A definition's newest proposal or draft.
    static func openProposal(of definition: UUID, _ versions: [UUID: RecordFields]) -> (UUID, RecordFields)? {
        let own = versions.filter { $0.value.reference("definition", into: CollectionSchema.definitions.name) == definition }
            .filter { ["proposed", "draft"].contains($0.value.text("status") ?? "") }
        return own.max { ($0.value.text("proposed_at") ?? "", $0.key.uuidString) < ($1.value.text("proposed_at") ?? "", $1.key.uuidString) }.map { ($0.key, $0.value) }
    }

    /// A field's value as a file shows it, or nil when it has none.
    static func value(_ value: FieldValue?, type: FieldType, reference names: [UUID: String]?) -> SetupValue? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return .bool(flag)
        case .int(let number)?: return type == .real ? .double(Double(number)) : .int(number)
        case .double(let number)?: return .double(number)
        case .text(let text)?:
            switch type {
            // An empty list says nothing a missing field does not, and would read as a change against a pack without it.
            case .json:
                let value = SetupValue(json: text) ?? .string(text)
                return value == .list([]) ? nil : value
            case .reference:
                let id = UUID(canonical: String(text.split(separator: "/").last ?? ""))
                return .string(id.flatMap { names?[$0] } ?? text)
            default: return .string(text)
            }
        }
    }
}
