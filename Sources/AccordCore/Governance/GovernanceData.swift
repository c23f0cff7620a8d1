public import Foundation

/// One organization's governance records, as the server's tables or a replica hold them: the input of every
/// governance view, so the server and an offline client compute the same answers.
public struct GovernanceData: Sendable {
    public var rights: RightsBook
    public var directory: MemberDirectory
    public var definitions: [UUID: RecordFields]
    public var versions: [UUID: RecordFields]
    public var responses: [UUID: RecordFields]
    public var decisions: [UUID: RecordFields]

    /// The collections a view needs; `load` returns one collection's live records by id.
    public static let collections = [
        CollectionSchema.decisionRights.name, CollectionSchema.members.name, CollectionSchema.definitions.name,
        CollectionSchema.definitionVersions.name, CollectionSchema.proposalResponses.name, CollectionSchema.decisions.name,
    ]

    public init(load: (String) async throws -> [UUID: RecordFields]) async rethrows {
        rights = RightsBook(records: try await load(CollectionSchema.decisionRights.name))
        directory = MemberDirectory(records: try await load(CollectionSchema.members.name))
        definitions = try await load(CollectionSchema.definitions.name)
        versions = try await load(CollectionSchema.definitionVersions.name)
        responses = try await load(CollectionSchema.proposalResponses.name)
        decisions = try await load(CollectionSchema.decisions.name)
    }

    /// The definition whose term (or id, or id prefix of at least 8 characters) is `name`, without case.
    /// The terms of definitions with a proposal waiting for its decision.
    public var openProposals: [String] {
        versions.values.filter { $0.text("status") == ProposalStatus.proposed.rawValue }.compactMap { $0.text("term") }
    }

    public func definition(named name: String) -> (id: UUID, fields: RecordFields)? {
        let lowered = name.lowercased()
        if let match = definitions.first(where: { $0.value.text("term")?.lowercased() == lowered }) { return (match.key, match.value) }
        if let id = UUID(uuidString: name), let fields = definitions[id] { return (id, fields) }
        let byPrefix = lowered.count >= 8 ? definitions.filter { $0.key.lowercasedText.hasPrefix(lowered) } : [:]
        return byPrefix.count == 1 ? byPrefix.first.map { ($0.key, $0.value) } : nil
    }

    /// The versions of a definition, oldest first: certified ones in the order they were approved, then the
    /// rest in the order they were proposed.
    public func versions(of definition: UUID) -> [VersionView] {
        versions.filter { $0.value.reference("definition", into: CollectionSchema.definitions.name) == definition }
            .map { VersionView(id: $0.key, fields: $0.value, data: self) }
            .sorted { ($0.sortKey, $0.id.uuidString) < ($1.sortKey, $1.id.uuidString) }
    }

    /// The responses to one proposal.
    public func responses(to proposal: UUID) -> [UUID: RecordFields] {
        let reference = FieldValue.reference(CollectionSchema.definitionVersions.name, proposal)
        return responses.filter { $0.value["proposal"] == reference }
    }

    /// Everything among `sources` (live records by collection) that refers to the definition, by its term or
    /// the synonyms of its certified version.
    public func impact(of definition: UUID, in sources: [(schema: CollectionSchema, records: [UUID: RecordFields])]) -> [ReferenceIndex.Entry] {
        let synonyms = versions(of: definition).last { $0.status == .approved }?.synonyms ?? []
        return ReferenceIndex.impact(of: definition, terms: [definitions[definition]?.text("term") ?? ""] + synonyms, in: sources)
    }

    /// The right governing changes to a definition.
    public func right(forDefinition fields: RecordFields) -> DecisionRight {
        rights.right(for: "definition.change", scope: fields.text("category"))
    }
}

/// One version of a definition, readable: who proposed, consented, objected and decided, and when.
public struct VersionView: Sendable, Equatable, Codable {
    public struct Response: Sendable, Equatable, Codable {
        public var member: UUID
        public var name: String
        public var stance: ResponseStance
        public var comment: String?
        public var at: Date?
    }

    public var id: UUID
    public var definition: UUID?
    /// `major.minor` once approved.
    public var version: String?
    public var status: ProposalStatus
    public var term: String
    public var body: String?
    /// The criteria as canonical JSON text.
    public var criteria: String?
    public var synonyms: [String]
    public var related: [String]
    public var rationale: String
    public var breaking: Bool
    public var deprecate: Bool
    public var replacement: String?
    public var basedOn: UUID?
    public var proposedBy: String?
    public var proposedByID: UUID?
    public var proposedAt: Date?
    public var decidedBy: String?
    public var decidedByID: UUID?
    public var decidedAt: Date?
    public var decisionNote: String?
    public var responses: [Response]

    public init(id: UUID, fields: RecordFields, data: GovernanceData) {
        self.id = id
        definition = fields.reference("definition", into: CollectionSchema.definitions.name)
        version = fields.text("version")
        status = fields.text("status").flatMap(ProposalStatus.init) ?? .draft
        term = fields.text("term") ?? ""
        body = fields.text("body")
        criteria = fields.text("criteria")
        synonyms = fields.strings("synonyms")
        related = fields.strings("related")
        rationale = fields.text("rationale") ?? ""
        breaking = fields.bool("breaking")
        deprecate = fields.bool("deprecate")
        replacement = fields.text("replacement")
        basedOn = fields.reference("based_on", into: CollectionSchema.definitionVersions.name)
        proposedByID = fields.uuid("proposed_by")
        proposedBy = proposedByID.map(data.directory.name)
        proposedAt = fields.time("proposed_at")
        decidedByID = fields.uuid("decided_by")
        decidedBy = decidedByID.map(data.directory.name)
        decidedAt = fields.time("decided_at")
        decisionNote = fields.text("decision_note")
        responses = data.responses(to: id).compactMap { responseID, response in
            guard let stance = response.text("stance").flatMap(ResponseStance.init) else { return nil }
            let member = ProposalResponse.member(of: responseID, proposal: id)
            return Response(member: member, name: data.directory.name(member), stance: stance, comment: response.text("comment"), at: response.time("responded_at"))
        }.sorted { ($0.at ?? .distantPast, $0.name) < ($1.at ?? .distantPast, $1.name) }
    }

    /// Whether this version was ever the certified one.
    public var wasCertified: Bool { status == .approved || status == .superseded }

    /// "1.2", or "draft a1b2c3d4" for one never approved.
    public var label: String { version ?? "\(status.rawValue) \(id.lowercasedText.prefix(8))" }

    fileprivate var sortKey: String {
        if wasCertified, let decidedAt { return "0" + FieldSchema.canonicalTime(decidedAt) }
        return "1" + (proposedAt.map(FieldSchema.canonicalTime) ?? "")
    }
}

extension Array where Element == VersionView {
    /// The version in force at `date`: the last one approved by then.
    public func inForce(at date: Date) -> VersionView? {
        filter { $0.wasCertified && ($0.decidedAt ?? .distantFuture) <= date }.max { ($0.decidedAt ?? .distantPast) < ($1.decidedAt ?? .distantPast) }
    }

    /// The version a reader names: `1.2`, `current`, or an id or id prefix.
    public func named(_ name: String) -> VersionView? {
        if name == "current" { return last { $0.status == .approved } }
        if let exact = first(where: { $0.version == name }) { return exact }
        let lowered = name.lowercased()
        let matches = filter { $0.id.lowercasedText.hasPrefix(lowered) }
        return lowered.count >= 4 && matches.count == 1 ? matches.first : nil
    }
}
