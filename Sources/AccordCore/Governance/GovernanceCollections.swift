/// The governed collections: decision rights, definitions with their versions under change control, the
/// responses of the people a proposal asks, and the decision log.
extension CollectionSchema {
    public static let governance: [CollectionSchema] = [.decisionRights, .definitions, .definitionVersions, .proposalResponses, .decisions]

    /// The categories a definition belongs to; `definition.change` may be scoped to one.
    public static let definitionCategories = ["lifecycle_stage", "qualification_rule", "source_rule", "icp", "metric", "glossary"]

    /// One record per decision type and scope; a type without one falls back to Accord's default.
    public static let decisionRights = CollectionSchema(
        name: "decision_rights",
        fields: [
            FieldSchema("decision_type", .text, .lww, required: true, maxLength: 100),
            FieldSchema("scope", .text, .lww, maxLength: 100),
            FieldSchema("description", .text, .lww, maxLength: 2_000),
            /// Each a JSON array of holders, spelled as `Holder` spells them.
            FieldSchema("recommend", .json, .lww),
            FieldSchema("agree", .json, .lww),
            FieldSchema("input", .json, .lww),
            FieldSchema("decide", .text, .lww, required: true, maxLength: 200),
            FieldSchema("perform", .json, .lww),
            FieldSchema("inform", .json, .lww),
            FieldSchema("escalate_after_days", .integer, .lww),
            FieldSchema("escalate_to", .text, .lww, maxLength: 200),
            FieldSchema("separate_duties", .boolean, .lww),
        ],
        indexes: [CollectionIndex("by_type", on: ["decision_type"])],
        rules: [CollectionRule("decision rights change under decision_right.change", check: RightsRules.judge)]
    )

    /// A term everyone must mean the same thing by. Its content lives in its versions; the record names the
    /// certified current one, which only an approved proposal changes.
    public static let definitions = CollectionSchema(
        name: "definitions",
        fields: [
            FieldSchema("term", .text, .lww, required: true, maxLength: 200),
            FieldSchema("category", .text, .lww, required: true, allowedValues: definitionCategories),
            FieldSchema("owner_team", .text, .lww, maxLength: 100),
            FieldSchema("current_version", .reference, .lww, serverOwned: true),
            FieldSchema("status", .text, .lww, allowedValues: ["active", "deprecated"], serverOwned: true),
            FieldSchema("replaced_by", .reference, .lww, serverOwned: true),
        ],
        indexes: [CollectionIndex("by_term", on: ["term"])],
        rules: [CollectionRule("definitions change through proposals", check: DefinitionRules.judge)]
    )

    /// One version of a definition: a draft, a proposal, the certified current version, or history.
    public static let definitionVersions = CollectionSchema(
        name: "definition_versions",
        fields: [
            FieldSchema("definition", .reference, .lww, required: true),
            FieldSchema("status", .text, .lww, required: true, allowedValues: ProposalStatus.allCases.map(\.rawValue)),
            FieldSchema("term", .text, .review, required: true, maxLength: 200),
            FieldSchema("body", .text, .review, maxLength: 20_000, markdown: true),
            /// A JSON array of conditions such as `{"field": "lead_score", "op": ">=", "value": 60}`.
            FieldSchema("criteria", .json, .review, maxLength: 20_000),
            FieldSchema("synonyms", .json, .lww),
            FieldSchema("related", .json, .lww),
            FieldSchema("rationale", .text, .review, required: true, maxLength: 4_000, markdown: true),
            FieldSchema("breaking", .boolean, .lww),
            /// A proposal to deprecate the definition in favour of `replacement`.
            FieldSchema("deprecate", .boolean, .lww),
            FieldSchema("replacement", .reference, .lww),
            /// The current version when the proposal was written; it is approved only on top of that one.
            FieldSchema("based_on", .reference, .lww),
            FieldSchema("version", .text, .lww, maxLength: 20, serverOwned: true),
            FieldSchema("proposed_by", .uuid, .lww, serverOwned: true),
            FieldSchema("proposed_at", .timestamp, .lww, serverOwned: true),
            FieldSchema("decided_by", .uuid, .lww, serverOwned: true),
            FieldSchema("decided_at", .timestamp, .lww, serverOwned: true),
            /// The approver's note, or why the proposal was rejected.
            FieldSchema("decision_note", .text, .lww, maxLength: 4_000),
            FieldSchema("decision", .reference, .lww, serverOwned: true),
        ],
        indexes: [CollectionIndex("by_definition", on: ["definition"])],
        rules: [CollectionRule("proposals follow the decision right", check: ProposalRules.judge)]
    )

    /// What an `agree` or `input` holder says of a proposal: one record per member and proposal, whose id
    /// `ProposalResponse.id` derives, so withdrawing an objection is changing it.
    public static let proposalResponses = CollectionSchema(
        name: "proposal_responses",
        fields: [
            FieldSchema("proposal", .reference, .lww, required: true),
            FieldSchema("stance", .text, .lww, required: true, allowedValues: ResponseStance.allCases.map(\.rawValue)),
            FieldSchema("comment", .text, .lww, maxLength: 4_000, markdown: true),
            FieldSchema("member", .uuid, .lww, serverOwned: true),
            FieldSchema("responded_at", .timestamp, .lww, serverOwned: true),
        ],
        indexes: [CollectionIndex("by_proposal", on: ["proposal"])],
        rules: [CollectionRule("agree holders consent or object", check: ResponseRules.judge)]
    )

    /// The decision log. A decided decision is never edited: changing course is a new decision superseding it.
    public static let decisions = CollectionSchema(
        name: "decisions",
        fields: [
            FieldSchema("title", .text, .lww, required: true, maxLength: 200),
            FieldSchema("decision_type", .text, .lww, required: true, maxLength: 100),
            FieldSchema("scope", .text, .lww, maxLength: 100),
            FieldSchema("rationale", .text, .review, required: true, maxLength: 8_000, markdown: true),
            FieldSchema("decided_on", .date, .lww),
            FieldSchema("cadence", .text, .lww, allowedValues: DecisionCadence.allCases.map(\.rawValue)),
            /// A JSON array of the records it concerns, as `collection/uuid`.
            FieldSchema("links", .json, .lww),
            FieldSchema("review_on", .date, .lww),
            FieldSchema("status", .text, .lww, required: true, allowedValues: DecisionStatus.allCases.map(\.rawValue)),
            FieldSchema("supersedes", .reference, .lww),
            FieldSchema("superseded_by", .reference, .lww, serverOwned: true),
            FieldSchema("decided_by", .uuid, .lww, serverOwned: true),
            FieldSchema("decided_at", .timestamp, .lww, serverOwned: true),
        ],
        rules: [CollectionRule("decisions follow the decision right and are append-only", check: DecisionRules.judge)]
    )
}

public enum ProposalStatus: String, Sendable, Codable, CaseIterable {
    case draft, proposed, approved, rejected, withdrawn, superseded
}

public enum ResponseStance: String, Sendable, Codable, CaseIterable {
    case consent, object, comment
}

public enum DecisionCadence: String, Sendable, Codable, CaseIterable {
    case weekly, monthly, quarterly
    case adHoc = "ad_hoc"
}

public enum DecisionStatus: String, Sendable, Codable, CaseIterable {
    case proposed, decided, superseded
}
