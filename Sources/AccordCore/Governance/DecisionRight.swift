public import Foundation

/// The parts of a decision right, after RAPID.
public enum RightRole: String, Sendable, Codable, CaseIterable {
    /// May propose.
    case recommend
    /// Must consent before the decision; an objection blocks it until withdrawn.
    case agree
    /// Is asked; comments are recorded and do not block.
    case input
    /// Decides; exactly one holder.
    case decide
    /// Carries the decision out.
    case perform
    /// Is told.
    case inform
}

/// Who may do what for one decision type, perhaps only within a scope (such as `definition.change` for the
/// category `lifecycle_stage`).
public struct DecisionRight: Sendable, Equatable, Codable {
    /// The record it comes from; nil for a built-in default no record has replaced.
    public var id: UUID?
    public var type: String
    public var scope: String?
    public var description: String?
    public var recommend: [Holder]
    public var agree: [Holder]
    public var input: [Holder]
    public var decide: Holder
    public var perform: [Holder]
    public var inform: [Holder]
    /// After this many days without a decision, `escalateTo` may decide as well.
    public var escalateAfterDays: Int?
    public var escalateTo: Holder?
    /// Nobody decides on their own proposal.
    public var separateDuties: Bool

    public init(
        id: UUID? = nil, type: String, scope: String? = nil, description: String? = nil, recommend: [Holder], agree: [Holder] = [],
        input: [Holder] = [], decide: Holder, perform: [Holder] = [], inform: [Holder] = [], escalateAfterDays: Int? = nil,
        escalateTo: Holder? = nil, separateDuties: Bool = false
    ) {
        self.id = id
        self.type = type
        self.scope = scope
        self.description = description
        self.recommend = recommend
        self.agree = agree
        self.input = input
        self.decide = decide
        self.perform = perform
        self.inform = inform
        self.escalateAfterDays = escalateAfterDays
        self.escalateTo = escalateTo
        self.separateDuties = separateDuties
    }

    /// The decision types every organization has; organizations may add their own.
    public static let builtInTypes = [
        "definition.change", "target.change", "budget.shift", "targeting.change", "lifecycle_rule.change", "sla.change",
        "play.activate", "decision_right.change",
    ]

    /// What an organization starts with for a type no record of its own covers: editors propose, the owners
    /// decide, every member is informed; nobody approves their own definition change.
    public static func builtInDefault(for type: String) -> DecisionRight {
        DecisionRight(
            type: type, description: "Accord's default: editors propose, the owners decide, everyone is informed.",
            recommend: [.role(.editor)], decide: .role(.owner), perform: [.role(.editor)], inform: [.everyone],
            separateDuties: type == "definition.change"
        )
    }

    /// The holders of one part; `decide` as a list of one.
    public func holders(_ role: RightRole) -> [Holder] {
        switch role {
        case .recommend: recommend
        case .agree: agree
        case .input: input
        case .decide: [decide]
        case .perform: perform
        case .inform: inform
        }
    }

    /// "definition.change for lifecycle_stage".
    public var title: String { scope.map { "\(type) for \($0)" } ?? type }

    /// The right a `decision_rights` record holds, or nil when the record is malformed (the collection's rules
    /// keep malformed ones out).
    public init?(id: UUID, record fields: RecordFields) {
        guard let type = fields.text("decision_type"), let decide = fields.text("decide").flatMap(Holder.init) else { return nil }
        func holders(_ name: String) -> [Holder] { fields.strings(name).compactMap(Holder.init) }
        self.init(
            id: id, type: type, scope: fields.text("scope"), description: fields.text("description"), recommend: holders("recommend"),
            agree: holders("agree"), input: holders("input"), decide: decide, perform: holders("perform"), inform: holders("inform"),
            escalateAfterDays: fields.int("escalate_after_days").map(Int.init), escalateTo: fields.text("escalate_to").flatMap(Holder.init),
            separateDuties: fields.bool("separate_duties")
        )
    }

    /// The record fields that hold this right.
    public var fields: RecordFields {
        func list(_ holders: [Holder]) -> FieldValue { .strings(holders.map(\.description)) }
        return [
            "decision_type": .text(type), "scope": scope.map(FieldValue.text) ?? .null, "description": description.map(FieldValue.text) ?? .null,
            "recommend": list(recommend), "agree": list(agree), "input": list(input), "decide": .text(decide.description),
            "perform": list(perform), "inform": list(inform), "escalate_after_days": escalateAfterDays.map { .int(Int64($0)) } ?? .null,
            "escalate_to": escalateTo.map { .text($0.description) } ?? .null, "separate_duties": .bool(separateDuties),
        ]
    }
}
