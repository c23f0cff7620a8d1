import Foundation

/// A kind of record in an organization's governed setup, as export writes it and import reads it: one file
/// per kind, each record under a name people use (a KPI's key, a definition's term), never an id.
public struct SetupKind: Sendable {
    /// The file's name without its extension, and the collection it holds.
    public let name: String
    /// The fields written, besides the name; references among them are written as the other record's name.
    public let fields: [String]
    /// The fields a record's name is made of, joined by " · " when there are several.
    public let keyFields: [String]
    /// Reference fields, and the kind whose record each names.
    public let references: [String: String]

    public var collection: String { name }

    /// Every kind, in the order an import writes them: what others refer to first, decision rights last, so
    /// the rights in force judge the whole import.
    public static let all: [SetupKind] = [definitions, priorities, kpis, constraints, plays, slas, dashboards, targets, decisionRights]

    public static func named(_ name: String) -> SetupKind? {
        all.first { $0.name == name }
    }

    /// A definition's own fields and its certified version's text (else its latest proposal's).
    public static let definitions = SetupKind(
        name: "definitions", fields: ["category", "owner_team", "body", "criteria", "synonyms", "related"], keyFields: ["term"], references: [:]
    )
    /// The fields of a definition that live on its versions, and change only through a proposal.
    public static let versionFields: Set<String> = ["body", "criteria", "synonyms", "related"]

    public static let priorities = SetupKind(name: "priorities", fields: ["kind", "statement", "owner", "horizon", "status"], keyFields: ["name"], references: [:])

    public static let kpis = SetupKind(
        name: "kpis",
        fields: [
            "name", "definition", "owner", "source_system", "source_object", "source_notes", "aggregation", "numerator", "denominator", "unit", "unit_label",
            "kind", "tier", "direction", "grain", "cumulative", "priority", "description",
        ],
        keyFields: ["key"], references: ["definition": "definitions", "priority": "priorities"]
    )

    public static let constraints = SetupKind(
        name: "constraints", fields: ["priority", "kpi", "segment", "direction", "threshold", "owner"], keyFields: ["statement"],
        references: ["priority": "priorities", "kpi": "kpis"]
    )

    public static let plays = SetupKind(
        name: "plays",
        fields: [
            "owner", "constraint", "priority", "status", "capacity", "expected_kpi", "expected_from", "expected_to", "expected_by", "stop_kpi", "stop_when",
            "stop_threshold", "stop_on", "rationale",
        ],
        keyFields: ["name"], references: ["constraint": "constraints", "priority": "priorities", "expected_kpi": "kpis", "stop_kpi": "kpis"]
    )

    public static let slas = SetupKind(
        name: "slas", fields: ["from_team", "to_team", "kpi", "breached_when", "threshold", "rationale"], keyFields: ["name"], references: ["kpi": "kpis"]
    )

    public static let dashboards = SetupKind(name: "dashboards", fields: ["audience", "period", "grain", "tiles"], keyFields: ["name"], references: [:])

    public static let targets = SetupKind(
        name: "targets", fields: ["value", "variance_kind", "variance", "rationale", "phasing", "pacing"], keyFields: ["kpi", "period", "segment"],
        references: ["kpi": "kpis"]
    )

    public static let decisionRights = SetupKind(
        name: "decision_rights",
        fields: ["description", "recommend", "agree", "input", "decide", "perform", "inform", "escalate_after_days", "escalate_to", "separate_duties"],
        keyFields: ["decision_type", "scope"], references: [:]
    )
}
