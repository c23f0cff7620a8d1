import Foundation

/// The rules of priorities, constraints and SLAs; plays have their own (`PlayRules`).
enum StrategyRules {
    @Sendable static func judgePriority(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member, let merged = input.merged else { return .accept }
        if let problem = ownerProblem(merged.text("owner"), what: "a priority") { return .reject("invalid", problem) }
        if let horizon = merged.text("horizon") {
            let settings = try await OrganizationSettings.load(input.view)
            guard settings.period(horizon) != nil else {
                return .reject("invalid", "horizon must be a period such as 2026-Q3 or FY2027, not '\(horizon)'")
            }
        }
        return .accept(stamping: ownerSpelling(input))
    }

    @Sendable static func judgeConstraint(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member, let merged = input.merged else { return .accept }
        if let missing = try await missingReferences(input, merged, ["priority": CollectionSchema.priorities.name, "kpi": CollectionSchema.kpis.name]) {
            return .reject("missing_reference", missing)
        }
        if let problem = KPIRules.segmentProblem(merged) { return .reject("invalid", problem) }
        if let owner = merged.text("owner"), let problem = ownerProblem(owner, what: "a constraint") { return .reject("invalid", problem) }
        return .accept(stamping: ownerSpelling(input))
    }

    /// An SLA is a promise between two teams, changed only by the holder of `sla.change`, and logged.
    @Sendable static func judgeSLA(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        let fields = input.merged ?? input.stored ?? [:]
        let name = fields.text("name") ?? "the SLA"
        if let merged = input.merged {
            if merged.text("from_team")?.caseInsensitiveCompare(merged.text("to_team") ?? "") == .orderedSame {
                return .reject("invalid", "An SLA is between two teams: from_team hands over and to_team answers for it.")
            }
            if let missing = try await missingReferences(input, merged, ["kpi": CollectionSchema.kpis.name]) {
                return .reject("missing_reference", missing)
            }
            let measured = [merged["kpi"], merged["breached_when"], merged["threshold"]].map { ($0 ?? .null) != .null }
            if measured.contains(true), measured.contains(false) {
                return .reject("invalid", "An SLA measured by a KPI needs all of kpi, breached_when (above or below) and threshold.")
            }
        }
        let context = try await GovernanceContext.load(input)
        if let refusal = context.refusal(.decide, "sla.change", scope: nil, doing: "set or change the SLA '\(name)'", now: input.now) { return refusal }
        let what = switch input.operation {
        case .create: "agreed"
        case .update: "changed"
        case .delete: "withdrawn"
        }
        let decisionID = UUID()
        let decision = FollowUp(.create, CollectionSchema.decisions.name, decisionID, [
            "title": .text(decisionTitle("SLA \(what): \(name)")), "decision_type": .text("sla.change"),
            "rationale": .text((input.operation == .create || input.changes("rationale") ? input.merged?.text("rationale") : nil) ?? "SLA \(what)."), "cadence": .text(DecisionCadence.adHoc.rawValue),
            "links": .strings(["slas/\(input.recordID.lowercasedText)"]), "status": .text(DecisionStatus.decided.rawValue),
        ])
        let stamps: RecordFields = input.operation == .delete ? [:] : ["decision": .reference(CollectionSchema.decisions.name, decisionID)]
        return .accept(stamping: stamps, followUps: [decision])
    }

    /// Someone answers for it: one member or one team.
    static func ownerProblem(_ text: String?, what: String) -> String? {
        guard let owner = text.flatMap(Holder.init), owner.isPerson || owner.isTeam else {
            return "owner must be one member (user:<id>) or one team (team:<name>), so someone answers for \(what)"
        }
        return nil
    }

    /// The owner this change writes, in its one spelling (a member's id in lower case), when it was written
    /// another way. Only a change that writes the owner is stamped, so re-spelling never competes with an owner
    /// changed elsewhere.
    static func ownerSpelling(_ input: RuleInput) -> RecordFields {
        guard input.changes("owner"), let text = input.merged?.text("owner"), let holder = Holder(text), holder.description != text else { return [:] }
        return ["owner": .text(holder.description)]
    }

    /// A logged decision's title fits the decision log's 200 characters, whatever the name it quotes.
    static func decisionTitle(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(199)) + "…"
    }

    /// The first reference this change writes (field: collection) that names no record. References it leaves
    /// as they were are not judged again, so removing a priority does not freeze the plays that named it.
    static func missingReferences(_ input: RuleInput, _ fields: RecordFields, _ references: [String: String]) async throws -> String? {
        for (field, collection) in references.sorted(by: { $0.key < $1.key }) where input.operation == .create || input.changes(field) {
            guard let text = fields.text(field) else { continue }
            guard let id = fields.reference(field, into: collection), try await input.view.record(collection, id) != nil else {
                return "\(field) must name one of the organization's \(collection) as \(collection)/<id>; '\(text)' names none."
            }
        }
        return nil
    }
}
