public import Foundation

/// Template packs: a consultancy keeps named, versioned sets of setup records in its own organization, and each
/// client organization remembers, record by record, which pack version a record came from and what the pack
/// said then, so drift can be told apart: what the client changed, what the pack changed since, and both.
extension CollectionSchema {
    public static let packs = CollectionSchema(
        name: "packs",
        fields: [
            FieldSchema("name", .text, .lww, required: true, maxLength: 100),
            FieldSchema("description", .text, .lww, maxLength: 4_000, markdown: true),
        ],
        rules: [CollectionRule("a pack's name is its own", check: PackRules.judgePack)]
    )

    /// One published version of a pack: the setup records it holds, as the files would show them. Published
    /// versions never change.
    public static let packVersions = CollectionSchema(
        name: "pack_versions",
        fields: [
            FieldSchema("pack", .reference, .lww, required: true),
            FieldSchema("version", .integer, .lww, required: true),
            /// `{kind: {name: {field: value}}}`.
            FieldSchema("contents", .json, .lww, required: true, maxLength: 1_000_000),
            FieldSchema("notes", .text, .lww, maxLength: 4_000, markdown: true),
        ],
        indexes: [CollectionIndex("by_pack", on: ["pack"])],
        rules: [CollectionRule("published pack versions are numbered in turn and never change", check: PackRules.judgeVersion)]
    )

    /// In a client organization: a record that came from a pack, with the pack's fields for it at the version
    /// the client last took.
    public static let packAdoptions = CollectionSchema(
        name: "pack_adoptions",
        fields: [
            /// The pack's id in the consultancy's organization, and its name and organization for people.
            FieldSchema("pack_id", .uuid, .lww, required: true),
            FieldSchema("pack_name", .text, .lww, required: true, maxLength: 100),
            FieldSchema("source_org", .text, .lww, required: true, maxLength: 100),
            FieldSchema("version", .integer, .lww, required: true),
            FieldSchema("kind", .text, .lww, required: true, allowedValues: SetupKind.all.map(\.name)),
            FieldSchema("record_name", .text, .lww, required: true, maxLength: 400),
            /// The pack's fields for the record at `version`: the base drift is measured from.
            FieldSchema("base", .json, .lww, required: true, maxLength: 100_000),
        ],
        indexes: [CollectionIndex("by_pack", on: ["pack_id"])]
    )

    public static let packCollections: [CollectionSchema] = [.packs, .packVersions, .packAdoptions]
}

enum PackRules {
    @Sendable static func judgePack(_ input: RuleInput) async throws -> RuleDecision {
        guard let merged = input.merged, let name = merged.text("name") else { return .accept }
        let same = try await input.view.records(CollectionSchema.packs.name, matching: [:])
            .filter { $0.key != input.recordID && $0.value.text("name")?.caseInsensitiveCompare(name) == .orderedSame }
        return same.isEmpty ? .accept : .reject("duplicate_pack", "There is a pack called \(name) already; publish a new version of it instead.")
    }

    @Sendable static func judgeVersion(_ input: RuleInput) async throws -> RuleDecision {
        guard input.operation == .create, let merged = input.merged else {
            return .reject("invalid_transition", "A published pack version never changes; publish a new version instead.")
        }
        guard let pack = merged.reference("pack", into: CollectionSchema.packs.name), try await input.view.record(CollectionSchema.packs.name, pack) != nil else {
            return .reject("missing_reference", "pack must name one of the organization's packs as packs/<id>.")
        }
        let reference = "\(CollectionSchema.packs.name)/\(pack.lowercasedText)"
        let published = try await input.view.records(CollectionSchema.packVersions.name, matching: ["pack": .text(reference)])
        let next = (published.values.compactMap { RecordedMeasurement.number($0["version"]) }.max() ?? 0) + 1
        guard RecordedMeasurement.number(merged["version"]) == next else {
            return .reject("invalid", "This pack's next version is \(Int(next)); versions are numbered in turn.")
        }
        guard let contents = merged.text("contents"), PackContents(json: contents) != nil else {
            return .reject("invalid", "contents must map each kind of setup record to its records by name.")
        }
        return .accept
    }
}

/// A pack version's records: kind → name → fields, as export writes them.
public struct PackContents: Sendable, Equatable {
    public var records: [String: [String: OrgSetup.Fields]]

    public init(records: [String: [String: OrgSetup.Fields]]) {
        self.records = records
    }

    public init?(json: String) {
        guard case .map(let kinds)? = SetupValue(json: json) else { return nil }
        var records: [String: [String: OrgSetup.Fields]] = [:]
        for (kind, value) in kinds {
            guard SetupKind.named(kind) != nil, case .map(let named) = value else { return nil }
            for (name, fields) in named {
                guard case .map(let values) = fields else { return nil }
                records[kind, default: [:]][name] = values
            }
        }
        self.records = records
    }

    public var json: String {
        SetupValue.map(records.mapValues { .map($0.mapValues { SetupValue.map($0) }) }).json
    }
}

extension PackContents {
    /// The newest published version of `pack` among `versions` (records of `pack_versions`), and its number.
    public static func latest(of pack: UUID, in versions: [UUID: RecordFields]) -> (version: Int, contents: PackContents)? {
        let own = versions.values.filter { $0.reference("pack", into: CollectionSchema.packs.name) == pack }
        guard let newest = own.max(by: { (RecordedMeasurement.number($0["version"]) ?? 0) < (RecordedMeasurement.number($1["version"]) ?? 0) }),
              let contents = newest.text("contents").flatMap(PackContents.init(json:)) else { return nil }
        return (Int(RecordedMeasurement.number(newest["version"]) ?? 0), contents)
    }

    /// What each pack an organization took looks like against its latest version, where that is known.
    public static func reports(adoptions: [PackDrift.Adoption], latest: [UUID: (version: Int, contents: PackContents)], current: OrgSetup) -> [PackReport] {
        Dictionary(grouping: adoptions, by: \.packID).map { packID, taken in
            let name = taken.first?.packName ?? "", source = taken.first?.sourceOrg ?? ""
            let drift = latest[packID].map { PackDrift.compute(pack: name, latest: $0.contents, latestVersion: $0.version, adoptions: taken, current: current) }
            return PackReport(standing: PackStanding(pack: name, sourceOrg: source, adoptions: taken, drift: drift), drift: drift)
        }.sorted { ($0.standing.pack, $0.standing.sourceOrg) < ($1.standing.pack, $1.standing.sourceOrg) }
    }

    public static func standings(adoptions: [PackDrift.Adoption], latest: [UUID: (version: Int, contents: PackContents)], current: OrgSetup) -> [PackStanding] {
        reports(adoptions: adoptions, latest: latest, current: current).map(\.standing)
    }
}
