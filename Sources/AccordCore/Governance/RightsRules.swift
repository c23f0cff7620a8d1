import Foundation

/// The rules of `decision_rights`: well-formed holders, one right per type and scope, and every change made by
/// a decide holder of `decision_right.change` (scoped to the type the right is for).
enum RightsRules {
    static let holderLists = ["recommend", "agree", "input", "perform", "inform"]

    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        let fields = input.merged ?? input.stored ?? [:]
        if let merged = input.merged, let problem = malformed(merged) { return .reject("invalid", problem) }
        let context = try await GovernanceContext.load(input)
        let types = Set([input.stored?.text("decision_type"), fields.text("decision_type")].compactMap { $0 })
        for type in types.sorted() {
            if let refusal = context.refusal(.decide, "decision_right.change", scope: type, doing: "change the decision rights for \(type)", now: input.now) {
                return refusal
            }
        }
        guard let merged = input.merged, let type = merged.text("decision_type") else { return .accept }
        let scope = merged.text("scope")
        let sameType = try await input.view.records(CollectionSchema.decisionRights.name, matching: ["decision_type": .text(type)])
        if sameType.contains(where: { $0.key != input.recordID && $0.value.text("scope") == scope }) {
            let title = scope.map { "\(type) for \($0)" } ?? type
            return .reject("duplicate_right", "There is already a right for \(title); change that one instead of adding another.")
        }
        if type == "decision_right.change", let right = DecisionRight(id: input.recordID, record: merged),
           context.directory.holders(of: right.decide).isEmpty {
            return .reject("no_holder_left", "Nobody would hold the decide part of decision_right.change, so no one could change the rights again; name a holder who is a member.")
        }
        return .accept
    }

    /// What is wrong with a right's holders, or nil.
    static func malformed(_ fields: RecordFields) -> String? {
        for name in holderLists {
            guard let text = fields.text(name) else { continue }
            let list = fields.strings(name)
            if list.isEmpty && text != "[]" { return "\(name) must be a JSON array of holders, each \(Holder.spelling)" }
            if let bad = list.first(where: { Holder($0) == nil }) { return "\(name) holds '\(bad)', which is not a holder; write \(Holder.spelling)" }
        }
        for name in ["decide", "escalate_to"] {
            if let text = fields.text(name), Holder(text) == nil { return "\(name) is '\(text)', which is not a holder; write \(Holder.spelling)" }
        }
        if let days = fields.int("escalate_after_days") {
            if days < 1 { return "escalate_after_days must be 1 or more" }
            if fields.text("escalate_to") == nil { return "escalate_after_days needs escalate_to, the holder the decision passes to" }
        }
        return nil
    }
}

/// The rules of `definitions`: a term is added by a recommend holder, never renamed or deleted in place; its
/// content changes only through an approved proposal.
enum DefinitionRules {
    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        switch input.operation {
        case .delete:
            return .reject("governed", "A definition is never deleted; propose deprecating it and name its replacement.")
        case .update:
            if input.changes("term") || input.changes("category") {
                return .reject("governed", "A definition's term and category change only through an approved proposal; propose a new version.")
            }
            let fields = input.merged ?? [:]
            let context = try await GovernanceContext.load(input)
            return context.refusal(.decide, "definition.change", scope: fields.text("category"), doing: "change who owns \(fields.text("term") ?? "a definition")", now: input.now) ?? .accept
        case .create:
            let fields = input.merged ?? [:]
            guard let term = fields.text("term") else { return .accept }
            let context = try await GovernanceContext.load(input)
            if let refusal = context.refusal(.recommend, "definition.change", scope: fields.text("category"), doing: "add the definition \(term)", now: input.now) {
                return refusal
            }
            let all = try await input.view.records(CollectionSchema.definitions.name, matching: [:])
            if all.contains(where: { $0.key != input.recordID && $0.value.text("term")?.caseInsensitiveCompare(term) == .orderedSame }) {
                return .reject("duplicate_term", "There is already a definition of \(term); propose a change to it instead.")
            }
            return .accept(stamping: ["status": .text("active")])
        }
    }
}
