/// Strategy to plays: a few corporate priorities, the measurable constraints that block them, the plays that
/// remove those constraints (with a limit on how many run at once), and the SLAs between teams.
extension CollectionSchema {
    public static let strategy: [CollectionSchema] = [.priorities, .constraints, .plays, .slas, .reviews, .reviewItems]

    public static let priorities = CollectionSchema(
        name: "priorities",
        fields: [
            FieldSchema("kind", .text, .lww, required: true, allowedValues: PriorityKind.allCases.map(\.rawValue)),
            FieldSchema("name", .text, .lww, required: true, maxLength: 200),
            /// What the organization commits to, in a sentence the board would recognise.
            FieldSchema("statement", .text, .review, maxLength: 4_000, markdown: true),
            /// A holder: `user:<id>` or `team:<name>`.
            FieldSchema("owner", .text, .lww, required: true, maxLength: 200),
            /// The period it is meant to be achieved in, spelled as `Period` spells it: 2026-Q3, FY2027.
            FieldSchema("horizon", .text, .lww, maxLength: 12),
            FieldSchema("status", .text, .lww, allowedValues: PriorityStatus.allCases.map(\.rawValue)),
        ],
        rules: [CollectionRule("a priority has an owner and a horizon it can be judged in", check: StrategyRules.judgePriority)]
    )

    public static let constraints = CollectionSchema(
        name: "constraints",
        fields: [
            FieldSchema("priority", .reference, .lww, required: true),
            /// Testable: "MQL→SQL conversion below 20% in EMEA".
            FieldSchema("statement", .text, .lww, required: true, maxLength: 1_000),
            FieldSchema("kpi", .reference, .lww, required: true),
            /// A JSON object of dimension values such as {"region": "EMEA"}; none for the whole organization.
            FieldSchema("segment", .json, .lww, maxLength: 1_000),
            /// It holds while the KPI is `below` (or `above`) the threshold.
            FieldSchema("direction", .text, .lww, required: true, allowedValues: ThresholdSide.allCases.map(\.rawValue)),
            FieldSchema("threshold", .real, .lww, required: true),
            FieldSchema("owner", .text, .lww, maxLength: 200),
        ],
        indexes: [CollectionIndex("by_priority", on: ["priority"])],
        rules: [CollectionRule("a constraint is a KPI on one side of a threshold", check: StrategyRules.judgeConstraint)]
    )

    public static let plays = CollectionSchema(
        name: "plays",
        fields: [
            FieldSchema("name", .text, .lww, required: true, maxLength: 200),
            FieldSchema("owner", .text, .lww, required: true, maxLength: 200),
            FieldSchema("constraint", .reference, .lww),
            FieldSchema("priority", .reference, .lww),
            FieldSchema("status", .text, .lww, required: true, allowedValues: PlayStatus.allCases.map(\.rawValue)),
            /// What it takes, in the points the organization budgets per quarter.
            FieldSchema("capacity", .integer, .lww),
            /// The movement it expects: the KPI, from and to, by a date.
            FieldSchema("expected_kpi", .reference, .lww),
            FieldSchema("expected_from", .real, .lww),
            FieldSchema("expected_to", .real, .lww),
            FieldSchema("expected_by", .date, .lww),
            /// Stop criteria: a KPI on the wrong side of a threshold, or a date, whichever comes first.
            FieldSchema("stop_kpi", .reference, .lww),
            FieldSchema("stop_when", .text, .lww, allowedValues: ThresholdSide.allCases.map(\.rawValue)),
            FieldSchema("stop_threshold", .real, .lww),
            FieldSchema("stop_on", .date, .lww),
            /// Why its status last changed; "not now" needs one.
            FieldSchema("rationale", .text, .lww, maxLength: 4_000, markdown: true),
            /// The decision-log entry of its last change of status.
            FieldSchema("decision", .reference, .lww, serverOwned: true),
        ],
        indexes: [CollectionIndex("by_status", on: ["status"])],
        rules: [CollectionRule("plays start under play.activate, within the limit and the budget", check: PlayRules.judge)]
    )

    public static let slas = CollectionSchema(
        name: "slas",
        fields: [
            /// The promise: "Sales follows up an MQL within 24 hours".
            FieldSchema("name", .text, .lww, required: true, maxLength: 200),
            /// The team handing over, and the team that answers for the promise.
            FieldSchema("from_team", .text, .lww, required: true, maxLength: 100),
            FieldSchema("to_team", .text, .lww, required: true, maxLength: 100),
            FieldSchema("kpi", .reference, .lww),
            /// It is breached when the KPI goes `above` (or `below`) the threshold.
            FieldSchema("breached_when", .text, .lww, allowedValues: ThresholdSide.allCases.map(\.rawValue)),
            FieldSchema("threshold", .real, .lww),
            FieldSchema("rationale", .text, .lww, maxLength: 4_000, markdown: true),
            FieldSchema("decision", .reference, .lww, serverOwned: true),
        ],
        rules: [CollectionRule("SLAs change under sla.change", check: StrategyRules.judgeSLA)]
    )
}

public enum PriorityKind: String, Sendable, Codable, CaseIterable {
    case growth, profitability, retention, efficiency, custom
    case marketExpansion = "market_expansion"
}

public enum PriorityStatus: String, Sendable, Codable, CaseIterable {
    case active, achieved, dropped
}

public enum PlayStatus: String, Sendable, Codable, CaseIterable {
    case proposed, active, done, stopped
    case notNow = "not_now"

    /// How people say it.
    public var label: String { self == .notNow ? "not now" : rawValue }
}

/// Which side of a threshold a condition is about.
public enum ThresholdSide: String, Sendable, Codable, CaseIterable {
    case below, above

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        self == .below ? value < threshold : value > threshold
    }
}
