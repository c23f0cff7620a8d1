public import Foundation

/// `POST /v1/orgs/{org}/definitions/{id}/proposals`: a new version of the definition. What it leaves out is
/// taken from the current version, so a proposal names only what it changes.
public struct ProposalRequest: Codable, Sendable {
    public var term: String?
    public var body: String?
    /// A JSON array of conditions, as text.
    public var criteria: String?
    public var synonyms: [String]?
    public var related: [String]?
    public var rationale: String
    public var breaking: Bool?
    public var deprecate: Bool?
    /// The replacing definition's id, for a deprecation.
    public var replacement: UUID?
    /// `draft` to keep editing it, `proposed` (the default) to ask for consent now.
    public var status: ProposalStatus?

    public init(
        term: String? = nil, body: String? = nil, criteria: String? = nil, synonyms: [String]? = nil, related: [String]? = nil,
        rationale: String, breaking: Bool? = nil, deprecate: Bool? = nil, replacement: UUID? = nil, status: ProposalStatus? = nil
    ) {
        self.term = term
        self.body = body
        self.criteria = criteria
        self.synonyms = synonyms
        self.related = related
        self.rationale = rationale
        self.breaking = breaking
        self.deprecate = deprecate
        self.replacement = replacement
        self.status = status
    }

    /// The fields of the version record, filled in from the version it is based on, or for a first version
    /// from the definition's term.
    public func fields(definition: UUID, term definedTerm: String?, basedOn current: VersionView?) -> RecordFields {
        var fields: RecordFields = [
            "definition": .reference(CollectionSchema.definitions.name, definition),
            "status": .text((status ?? .proposed).rawValue),
            "rationale": .text(rationale),
            "breaking": .bool(breaking ?? false),
            "deprecate": .bool(deprecate ?? false),
        ]
        fields["term"] = (term ?? current?.term ?? definedTerm).map(FieldValue.text) ?? .null
        fields["body"] = (body ?? current?.body).map(FieldValue.text) ?? .null
        fields["criteria"] = (criteria ?? current?.criteria).map(FieldValue.text) ?? .null
        fields["synonyms"] = .strings(synonyms ?? current?.synonyms ?? [])
        fields["related"] = .strings(related ?? current?.related ?? [])
        if let replacement { fields["replacement"] = .reference(CollectionSchema.definitions.name, replacement) }
        if let current { fields["based_on"] = .reference(CollectionSchema.definitionVersions.name, current.id) }
        return fields
    }
}

/// The body of consent, object and comment, and of approve, reject and withdraw (as the note).
public struct ProposalActionRequest: Codable, Sendable {
    public var comment: String?

    public init(comment: String? = nil) {
        self.comment = comment
    }
}

/// A definition with the version in force (now, or at the date asked).
public struct DefinitionDetail: Codable, Sendable, Equatable {
    public var definition: DefinitionSummary
    public var asOf: Date?
    public var version: VersionView?
    public var proposals: [VersionView]

    public init(definition: DefinitionSummary, asOf: Date?, version: VersionView?, proposals: [VersionView]) {
        self.definition = definition
        self.asOf = asOf
        self.version = version
        self.proposals = proposals
    }
}

/// Who may do what for a decision type: each part of the right, whether the member holds it and through
/// which holder.
public struct RightsCheckAnswer: Codable, Sendable, Equatable {
    public var user: UUID
    public var name: String
    public var right: DecisionRight
    public var checks: [RightCheck]

    public init(member: GovernanceMember, type: String, scope: String?, book: RightsBook) {
        user = member.id
        name = member.name
        right = book.right(for: type, scope: scope)
        checks = RightRole.allCases.map { book.check(member, $0, type: type, scope: scope) }
    }
}

/// One change of the change log, as the audit reads it.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var seq: Int64
    public var at: Date
    public var collection: String
    public var recordID: UUID
    public var operation: MutationOperation
    public var outcome: MergeOutcome
    public var actor: UUID?
    public var actorName: String?
    /// The replica that pushed it; nil for changes made through the API or by the server.
    public var clientID: UUID?
    public var fields: RecordFields
    public var previous: RecordFields

    public init(
        seq: Int64, at: Date, collection: String, recordID: UUID, operation: MutationOperation, outcome: MergeOutcome, actor: UUID?,
        actorName: String?, clientID: UUID?, fields: RecordFields, previous: RecordFields
    ) {
        self.seq = seq
        self.at = at
        self.collection = collection
        self.recordID = recordID
        self.operation = operation
        self.outcome = outcome
        self.actor = actor
        self.actorName = actorName
        self.clientID = clientID
        self.fields = fields
        self.previous = previous
    }
}

/// A page of the audit, newest first; `nextBefore` asks for the next page.
public struct AuditPage: Codable, Sendable, Equatable {
    public var entries: [AuditEntry]
    public var nextBefore: Int64?

    public init(entries: [AuditEntry], nextBefore: Int64?) {
        self.entries = entries
        self.nextBefore = nextBefore
    }
}
