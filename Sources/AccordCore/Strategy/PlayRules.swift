import Foundation

/// A play's life: proposed, then active (under `play.activate`, within the organization's limit on active
/// plays and its capacity budget), "not now" (an explicit decision with a rationale), done or stopped. Every
/// change of status is a decision in the log.
enum PlayRules {
    /// The moves a play's status may make; done and stopped are final, so the log reads true.
    static let moves: [PlayStatus?: Set<PlayStatus>] = [
        nil: [.proposed, .active, .notNow],
        .proposed: [.active, .notNow, .stopped],
        .active: [.done, .stopped, .notNow],
        .notNow: [.proposed, .active, .stopped],
    ]

    /// What a running play commits: who answers for it, what it takes, and when it stops. Changing them once a
    /// play has left "proposed" is a resource decision like activating it.
    static let commitments = ["owner", "capacity", "stop_kpi", "stop_when", "stop_threshold", "stop_on"]

    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        let name = (input.merged ?? input.stored)?.text("name") ?? "the play"
        let from = input.stored?.text("status").flatMap(PlayStatus.init)
        guard let merged = input.merged else {
            guard from == .proposed, (input.stored?["decision"] ?? .null) == .null else {
                return .reject("invalid_transition", "The play \(name) is \(from?.label ?? "recorded") and its moves are in the decision log; stop it rather than remove it.")
            }
            return .accept
        }
        if let problem = try await shapeProblem(input, merged) { return problem }
        let spelling = StrategyRules.ownerSpelling(input)
        let to = merged.text("status").flatMap(PlayStatus.init)
        let context = try await GovernanceContext.load(input)
        guard let to, from != to else {
            // No move: what a running play commits still needs the right, and its capacity the budget.
            guard let from, from != .proposed, commitments.contains(where: input.changes) else { return .accept(stamping: spelling) }
            if let refusal = context.refusal(.decide, "play.activate", scope: nil, doing: "change what the play \(name) commits (owner, capacity, stop criteria)", now: input.now) {
                return refusal
            }
            if from == .active, input.changes("capacity"), let refusal = try await capacityRefusal(input, merged: merged, name: name) { return refusal }
            return .accept(stamping: spelling)
        }
        guard moves[from]?.contains(to) == true else {
            return .reject("invalid_transition", "The play \(name) is \(from?.label ?? "new") and cannot become \(to.label); \(from.map { "a play that is \($0.label) stays so; propose a new one" } ?? "it starts proposed, active or not now").")
        }
        // The owner who may finish a play is the one it had, not one written in the same change.
        let owns = (input.stored ?? merged).text("owner").flatMap(Holder.init)?.matches(context.member) ?? false
        if !(to == .proposed || (to == .done && owns)),
           let refusal = context.refusal(.decide, "play.activate", scope: nil, doing: "mark the play \(name) \(to.label)", now: input.now) {
            return refusal
        }
        let rationale = input.operation == .create || input.changes("rationale") ? merged.text("rationale") : nil
        if to == .notNow, (rationale ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .reject("invalid", "\"Not now\" is a decision: give the rationale for deferring \(name) (rationale=...).")
        }
        if to == .active, let refusal = try await capacityRefusal(input, merged: merged, name: name) { return refusal }
        guard to != .proposed else { return .accept(stamping: spelling) }
        let decisionID = UUID()
        let title = switch to {
        case .active: "Activate the play \(name)"
        case .notNow: "Not now: \(name)"
        case .done: "The play \(name) is done"
        default: "Stop the play \(name)"
        }
        var links = ["plays/\(input.recordID.lowercasedText)"]
        links += ["constraint", "priority"].compactMap { merged.text($0) }
        let decision = FollowUp(.create, CollectionSchema.decisions.name, decisionID, [
            "title": .text(StrategyRules.decisionTitle(title)), "decision_type": .text("play.activate"), "rationale": .text(rationale ?? "\(title)."),
            "cadence": .text(DecisionCadence.adHoc.rawValue), "links": .strings(links), "status": .text(DecisionStatus.decided.rawValue),
        ])
        return .accept(stamping: spelling.merging(["decision": .reference(CollectionSchema.decisions.name, decisionID)]) { $1 }, followUps: [decision])
    }

    /// Owner, references, capacity and stop criteria that make sense, whatever the status.
    private static func shapeProblem(_ input: RuleInput, _ merged: RecordFields) async throws -> RuleDecision? {
        if let problem = StrategyRules.ownerProblem(merged.text("owner"), what: "a play") { return .reject("invalid", problem) }
        let references = [
            "constraint": CollectionSchema.constraints.name, "priority": CollectionSchema.priorities.name,
            "expected_kpi": CollectionSchema.kpis.name, "stop_kpi": CollectionSchema.kpis.name,
        ]
        if let missing = try await StrategyRules.missingReferences(input, merged, references) { return .reject("missing_reference", missing) }
        if let capacity = merged.int("capacity"), capacity < 0 { return .reject("invalid", "capacity must be zero or more points") }
        let stop = [merged["stop_kpi"], merged["stop_when"], merged["stop_threshold"]].map { ($0 ?? .null) != .null }
        if stop.contains(true), stop.contains(false) {
            return .reject("invalid", "A stop criterion on a KPI needs all of stop_kpi, stop_when (above or below) and stop_threshold.")
        }
        return nil
    }

    /// The refusal to activate beyond the limit on active plays or the quarter's capacity budget, naming the
    /// plays to stop first: those past their stop date, then the largest.
    private static func capacityRefusal(_ input: RuleInput, merged: RecordFields, name: String) async throws -> RuleDecision? {
        let settings = try await OrganizationSettings.load(input.view)
        let active = try await input.view.records(CollectionSchema.plays.name, matching: ["status": .text(PlayStatus.active.rawValue)])
            .filter { $0.key != input.recordID }.map(\.value)
        let today = CalendarDate.text(input.now)
        let ranked = active.sorted { a, b in
            let (aLate, bLate) = (a.text("stop_on").map { $0 < today } ?? false, b.text("stop_on").map { $0 < today } ?? false)
            if aLate != bLate { return aLate }
            let (aPoints, bPoints) = (a.int("capacity") ?? 0, b.int("capacity") ?? 0)
            return aPoints != bPoints ? aPoints > bPoints : (a.text("name") ?? "") < (b.text("name") ?? "")
        }
        func describe(_ play: RecordFields) -> String {
            var text = play.text("name") ?? "a play"
            if let points = play.int("capacity") { text += " (\(points) points)" }
            if let stopOn = play.text("stop_on"), stopOn < today { text += ", past its stop date \(stopOn)" }
            return text
        }
        if active.count >= settings.activePlayLimit {
            let candidates = ranked.prefix(3).map(describe).joined(separator: "; ")
            return .reject(
                "play_limit",
                "The organization runs at most \(settings.activePlayLimit) active plays and \(active.count) are active. Stop or finish one before activating \(name); first candidates: \(candidates)."
            )
        }
        guard let budget = settings.playCapacityPerQuarter else { return nil }
        let used = active.reduce(Int64(0)) { $0 + ($1.int("capacity") ?? 0) }
        let needed = merged.int("capacity") ?? 0
        guard used + needed > budget else { return nil }
        let short = used + needed - Int64(budget)
        // The first play that alone frees enough, in the same order; else the list to stop from.
        let freeing = ranked.first { ($0.int("capacity") ?? 0) >= short }
        let advice = freeing.map { "stopping \(describe($0)) would make room" } ?? "stop some of \(ranked.prefix(3).map(describe).joined(separator: "; "))"
        return .reject(
            "play_budget",
            "\(name) needs \(needed) points and the active plays take \(used) of the quarter's \(budget); \(advice)."
        )
    }
}
