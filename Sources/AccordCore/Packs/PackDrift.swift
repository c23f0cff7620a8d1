public import Foundation

/// A client organization's records against the pack they came from, field by field and three ways: the
/// pack's fields at the version the client took (the base), the client's fields now, and the pack's latest.
/// A field only the client changed is the client's adaptation; one only the pack changed is an upgrade to
/// offer; one both changed is a conflict for people to decide. Server and replica compute it alike.
public struct PackDrift: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case matches
        case clientChanged = "client_changed"
        case packChanged = "pack_changed"
        case both
        case newInPack = "new_in_pack"
        case removedInClient = "removed_in_client"
        case removedFromPack = "removed_from_pack"
    }

    public struct Field: Sendable, Equatable, Codable {
        public var field: String
        public var base: SetupValue?
        public var client: SetupValue?
        public var pack: SetupValue?
    }

    public struct Record: Sendable, Equatable, Codable {
        public var kind: String
        public var name: String
        public var state: State
        /// The version the client took, nil for a record new in the pack.
        public var version: Int?
        public var clientChanged: [Field]
        public var packChanged: [Field]
        /// Fields both changed, differently.
        public var conflicts: [Field]
    }

    public var pack: String
    public var latest: Int
    public var records: [Record]

    /// Whether anything differs from the latest version.
    public var drifted: Bool { records.contains { $0.state != .matches } }

    /// One record of `pack_adoptions`, read.
    public struct Adoption: Sendable, Equatable {
        public var id: UUID
        public var packID: UUID
        public var packName: String
        public var sourceOrg: String
        public var kind: String
        public var name: String
        public var version: Int
        public var base: OrgSetup.Fields

        public init?(id: UUID, fields: RecordFields) {
            guard let pack = fields.uuid("pack_id"), let kind = fields.text("kind"), let name = fields.text("record_name"),
                  let version = RecordedMeasurement.number(fields["version"]), case .map(let base)? = fields.text("base").flatMap(SetupValue.init(json:)) else { return nil }
            self.id = id
            packID = pack
            packName = fields.text("pack_name") ?? ""
            sourceOrg = fields.text("source_org") ?? ""
            self.kind = kind
            self.name = name
            self.version = Int(version)
            self.base = base
        }
    }

    /// The change that remembers a pack version's `fields` for a record of `kind` called `name`: a new
    /// adoption, or `existing` moved to `version`.
    public static func record(
        pack: UUID, packName: String, sourceOrg: String, version: Int, kind: String, name: String, fields: OrgSetup.Fields, existing: Adoption?
    ) -> FollowUp {
        let values: RecordFields = [
            "pack_id": .text(pack.lowercasedText), "pack_name": .text(packName), "source_org": .text(sourceOrg), "version": .int(Int64(version)),
            "kind": .text(kind), "record_name": .text(name), "base": .text(SetupValue.map(fields).json),
        ]
        guard let existing else { return FollowUp(.create, CollectionSchema.packAdoptions.name, UUID(), values) }
        return FollowUp(.update, CollectionSchema.packAdoptions.name, existing.id, ["version": values["version"]!, "base": values["base"]!])
    }

    public static func compute(pack: String, latest: PackContents, latestVersion: Int, adoptions: [Adoption], current: OrgSetup) -> PackDrift {
        var records: [Record] = []
        var adopted = Set<String>()
        for adoption in adoptions.sorted(by: { ($0.kind, $0.name) < ($1.kind, $1.name) }) {
            adopted.insert("\(adoption.kind)\u{0}\(adoption.name)")
            let client = current.records[adoption.kind]?[adoption.name]
            let newest = latest.records[adoption.kind]?[adoption.name]
            let fields = Set(adoption.base.keys).union(client?.keys ?? [:].keys).union(newest?.keys ?? [:].keys).sorted()
            func field(_ name: String) -> Field { Field(field: name, base: adoption.base[name], client: client?[name], pack: newest?[name]) }
            let clientChanged = client == nil ? [] : fields.filter { client?[$0] != adoption.base[$0] }.map(field)
            let packChanged = newest == nil ? [] : fields.filter { newest?[$0] != adoption.base[$0] }.map(field)
            let conflicts = clientChanged.filter { changed in packChanged.contains { $0.field == changed.field } && changed.client != changed.pack }
            let state: State = if client == nil { .removedInClient } else if newest == nil { .removedFromPack }
                else if clientChanged.isEmpty && packChanged.isEmpty { .matches }
                else if packChanged.isEmpty { .clientChanged } else if clientChanged.isEmpty { .packChanged } else { .both }
            records.append(Record(kind: adoption.kind, name: adoption.name, state: state, version: adoption.version,
                                  clientChanged: clientChanged, packChanged: packChanged, conflicts: conflicts))
        }
        for kind in SetupKind.all {
            for (name, fields) in (latest.records[kind.name] ?? [:]).sorted(by: { $0.key < $1.key }) where !adopted.contains("\(kind.name)\u{0}\(name)") {
                records.append(Record(kind: kind.name, name: name, state: .newInPack, version: nil, clientChanged: [],
                                      packChanged: fields.keys.sorted().map { Field(field: $0, base: nil, client: current.records[kind.name]?[name]?[$0], pack: fields[$0]) },
                                      conflicts: []))
            }
        }
        return PackDrift(pack: pack, latest: latestVersion, records: records)
    }

    /// The setup an upgrade asks for: the pack's changes the client did not make its own, over the client's
    /// records; a field both changed keeps the client's value (a conflict to decide), or takes the pack's when
    /// `takingPack`, as someone decided.
    public func upgraded(_ current: OrgSetup, takingPack: Bool = false) -> OrgSetup {
        var wanted = current
        for record in records {
            switch record.state {
            case .newInPack:
                wanted.records[record.kind, default: [:]][record.name] = record.packChanged.reduce(into: OrgSetup.Fields()) { $0[$1.field] = $1.pack }
            case .packChanged, .both:
                let conflicted = takingPack ? [] : Set(record.conflicts.map(\.field))
                for change in record.packChanged where !conflicted.contains(change.field) {
                    wanted.records[record.kind]?[record.name]?[change.field] = change.pack
                }
            case .matches, .clientChanged, .removedInClient, .removedFromPack:
                break
            }
        }
        return wanted
    }
}

/// One pack an organization took, in a line: the versions taken against the latest, and how many records
/// match, drifted which way, or conflict. The portfolio shows it per organization.
public struct PackStanding: Sendable, Equatable, Codable {
    public var pack: String
    public var sourceOrg: String
    public var versions: [Int]
    /// The latest published version, when the pack's organization is readable here.
    public var latest: Int?
    public var matches: Int
    public var clientChanged: Int
    public var packChanged: Int
    public var conflicts: Int
    public var newInPack: Int

    public init(pack: String, sourceOrg: String, adoptions: [PackDrift.Adoption], drift: PackDrift?) {
        self.pack = pack
        self.sourceOrg = sourceOrg
        versions = Set(adoptions.map(\.version)).sorted()
        latest = drift?.latest
        let records = drift?.records ?? []
        matches = records.count { $0.state == .matches }
        clientChanged = records.count { $0.state == .clientChanged || $0.state == .both || $0.state == .removedInClient }
        packChanged = records.count { $0.state == .packChanged || $0.state == .both || $0.state == .removedFromPack }
        conflicts = records.count { !$0.conflicts.isEmpty }
        newInPack = records.count { $0.state == .newInPack }
    }
}

extension PackStanding {
    /// The versions taken and, where the latest is known, how the records stand against it, in words:
    /// "version 1 of 2 · 3 match, 1 changed here, 1 changed in the pack, 1 new in the pack".
    public var summary: String {
        let versions = "version " + versions.map(String.init).joined(separator: ", ")
        guard let latest else { return versions }
        var counts = ["\(matches) match", "\(clientChanged) changed here", "\(packChanged) changed in the pack"]
        if newInPack > 0 { counts.append("\(newInPack) new in the pack") }
        if conflicts > 0 { counts.append("\(conflicts) in conflict") }
        return "\(versions) of \(latest) · " + counts.joined(separator: ", ")
    }
}

/// One pack an organization took: its standing, and its drift record by record when the pack's latest
/// version is readable.
public struct PackReport: Sendable, Equatable, Codable {
    public var standing: PackStanding
    public var drift: PackDrift?

    public init(standing: PackStanding, drift: PackDrift?) {
        self.standing = standing
        self.drift = drift
    }
}
