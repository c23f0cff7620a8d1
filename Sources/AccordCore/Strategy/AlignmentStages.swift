import Foundation

/// One dimension of alignment graded from 1 (activity aligned) to 3 (outcome aligned), with the facts that
/// put it there and what would raise it. The rules are in docs/strategy.md.
public struct DimensionStage: Sendable, Equatable, Codable {
    public enum Dimension: String, Sendable, Codable, CaseIterable {
        case strategyLink = "strategy_link"
        case tradeoffs
        case measurement
        case operatingCadence = "operating_cadence"
        case crossFunctionalFit = "cross_functional_fit"

        public var title: String {
            switch self {
            case .strategyLink: "strategy link"
            case .tradeoffs: "tradeoffs"
            case .measurement: "measurement"
            case .operatingCadence: "operating cadence"
            case .crossFunctionalFit: "cross-functional fit"
            }
        }
    }

    public var dimension: Dimension
    public var stage: Int
    public var reasons: [String]
    /// What would raise it a stage; none at stage 3.
    public var toRaise: String?
}

enum AlignmentStages {
    /// How many closed reviews the cadence looks back over, and how recent the last must be.
    static let recentReviews = 4
    static let reviewWindowDays = 100

    static func grade(_ facts: AlignmentFacts) -> [DimensionStage] {
        [strategyLink(facts), tradeoffs(facts), measurement(facts), operatingCadence(facts), crossFunctionalFit(facts)]
    }

    static func strategyLink(_ facts: AlignmentFacts) -> DimensionStage {
        let priorities = facts.board.priorities.filter { $0.status == PriorityStatus.active.rawValue }
        let active = facts.activePlays
        guard !priorities.isEmpty else {
            return DimensionStage(dimension: .strategyLink, stage: 1, reasons: ["No active priorities are recorded."], toRaise: "Record the few corporate priorities and tie each play to one.")
        }
        let traced = active.filter { facts.priority(of: $0) != nil }
        let throughConstraint = active.filter { $0.constraint != nil }
        let unproven = priorities.filter { $0.kpis.isEmpty }.map(\.name)
        let unblocked = priorities.filter { priority in !facts.board.constraints.contains { $0.priority == priority.id } }.map(\.name)
        var reasons = ["\(traced.count) of \(active.count) active plays trace to a priority; \(throughConstraint.count) through a constraint."]
        if traced.count * 2 < active.count {
            return DimensionStage(dimension: .strategyLink, stage: 1, reasons: reasons, toRaise: "Tie each active play to the constraint (and so the priority) it removes.")
        }
        if !unproven.isEmpty { reasons.append("No KPI proves \(list(unproven)).") }
        if !unblocked.isEmpty { reasons.append("No constraint is recorded for \(list(unblocked)).") }
        if traced.count < active.count || throughConstraint.count < active.count || !unproven.isEmpty || !unblocked.isEmpty {
            return DimensionStage(dimension: .strategyLink, stage: 2, reasons: reasons, toRaise: "Give every priority a KPI and a measurable constraint, and every active play the constraint it removes.")
        }
        return DimensionStage(dimension: .strategyLink, stage: 3, reasons: reasons + ["Every priority has a KPI that proves it and a constraint tied to data."], toRaise: nil)
    }

    static func tradeoffs(_ facts: AlignmentFacts) -> DimensionStage {
        let deferred = facts.board.plays.filter { $0.status == .notNow }
        let stopped = facts.board.plays.filter { $0.status == .stopped }
        let capacity = facts.board.capacity
        var reasons = ["\(deferred.count) play\(deferred.count == 1 ? "" : "s") not now, \(stopped.count) stopped; \(capacity.active) of \(capacity.limit) active."]
        guard !deferred.isEmpty || !stopped.isEmpty else {
            return DimensionStage(dimension: .tradeoffs, stage: 1, reasons: reasons + ["Nothing was explicitly deprioritized."], toRaise: "Say \"not now\" to plays that do not fit, with a rationale, and stop those past their criteria.")
        }
        let unexplained = deferred.filter { ($0.rationale ?? "").isEmpty }.map(\.name)
        if !unexplained.isEmpty { reasons.append("Not now without a rationale: \(list(unexplained)).") }
        guard let budget = capacity.budget else {
            return DimensionStage(dimension: .tradeoffs, stage: 2, reasons: reasons + ["No capacity budget is set, so plays compete for nothing."], toRaise: "Set play_capacity_per_quarter and size every play in points.")
        }
        reasons.append("Active plays take \(capacity.points) of \(budget) points.")
        let unsized = facts.activePlays.filter { $0.capacity == nil }.map(\.name)
        if !unsized.isEmpty { reasons.append("Unsized active plays: \(list(unsized)).") }
        guard unexplained.isEmpty, unsized.isEmpty, capacity.points <= budget else {
            return DimensionStage(dimension: .tradeoffs, stage: 2, reasons: reasons, toRaise: "Size every active play and give every deferral its rationale.")
        }
        return DimensionStage(dimension: .tradeoffs, stage: 3, reasons: reasons, toRaise: nil)
    }

    static func measurement(_ facts: AlignmentFacts) -> DimensionStage {
        let kpis = facts.spine.kpis.values.sorted { $0.key < $1.key }
        guard !kpis.isEmpty else {
            return DimensionStage(dimension: .measurement, stage: 1, reasons: ["No KPIs are recorded."], toRaise: "Build the KPI spine: each KPI with an owner, a definition and a target.")
        }
        let orphans = facts.orphans
        let complete = kpis.filter { !$0.owner.isEmpty && $0.definition != nil && facts.hasTarget($0) }
        var reasons = ["\(complete.count) of \(kpis.count) KPIs have an owner, a definition and a target this period."]
        if complete.count * 2 < kpis.count {
            return DimensionStage(dimension: .measurement, stage: 1, reasons: reasons, toRaise: "Give each KPI its definition and a target for the current period.")
        }
        if !orphans.definitionsNotApproved.isEmpty { reasons.append("Measured against definitions not approved: \(list(orphans.definitionsNotApproved)).") }
        let unmeasured = kpis.filter { $0.tier == "primary" && facts.spine.latest($0) == nil }.map(\.key)
        if !unmeasured.isEmpty { reasons.append("Primary KPIs with no recent actuals: \(list(unmeasured)).") }
        guard complete.count == kpis.count, orphans.definitionsNotApproved.isEmpty, unmeasured.isEmpty else {
            let missing = kpis.filter { !complete.map(\.key).contains($0.key) }.map(\.key)
            if !missing.isEmpty { reasons.append("Incomplete: \(list(missing)).") }
            return DimensionStage(dimension: .measurement, stage: 2, reasons: reasons, toRaise: "Complete every KPI, approve the definitions they measure, and keep primary KPIs' actuals current.")
        }
        return DimensionStage(dimension: .measurement, stage: 3, reasons: reasons, toRaise: nil)
    }

    static func operatingCadence(_ facts: AlignmentFacts) -> DimensionStage {
        let windowStart = facts.spine.asOf.addingTimeInterval(-Double(reviewWindowDays) * 86_400)
        let closed = facts.reviews.filter { $0.status == .closed }.sorted { ($0.closedAt ?? .distantPast) > ($1.closedAt ?? .distantPast) }
        guard let latest = closed.first, (latest.closedAt ?? .distantPast) >= windowStart else {
            return DimensionStage(
                dimension: .operatingCadence, stage: 1, reasons: ["No review closed in the last \(reviewWindowDays) days."],
                toRaise: "Hold a monthly review and close it with a decision on every item."
            )
        }
        let recent = Array(closed.prefix(recentReviews))
        let shifted = recent.filter { review in review.items.contains { $0.outcome == .act || $0.outcome == .stop } }
        var reasons = ["\(recent.count) recent review\(recent.count == 1 ? "" : "s") closed, the latest for \(latest.period)."]
        let still = recent.count - shifted.count
        if shifted.count * 2 < recent.count || shifted.isEmpty {
            reasons.append("\(still) of the last \(recent.count) closed without a resource shift (no item acted on or stopped).")
            return DimensionStage(dimension: .operatingCadence, stage: 2, reasons: reasons, toRaise: "Use reviews to decide: act on or stop what is off track, not only hold.")
        }
        reasons.append("\(shifted.count) of the last \(recent.count) shifted resources.")
        return DimensionStage(dimension: .operatingCadence, stage: 3, reasons: reasons, toRaise: nil)
    }

    static func crossFunctionalFit(_ facts: AlignmentFacts) -> DimensionStage {
        let slas = facts.board.slas
        guard !slas.isEmpty else {
            return DimensionStage(dimension: .crossFunctionalFit, stage: 1, reasons: ["No SLAs between teams are recorded."], toRaise: "Agree SLAs for the handoffs between teams, each measured by a KPI.")
        }
        let teams = Set(slas.flatMap { [$0.fromTeam, $0.toTeam] })
        var reasons = ["\(slas.count) SLA\(slas.count == 1 ? "" : "s") between \(teams.count) teams."]
        let unmeasured = slas.filter { $0.kpi == nil }.map(\.name)
        let breached = slas.filter { sla in sla.breaches.first.map { breach in facts.isRecent(breach.period, kpi: sla.kpi) } ?? false }.map(\.name)
        if !unmeasured.isEmpty { reasons.append("Not measured: \(list(unmeasured)).") }
        if !breached.isEmpty { reasons.append("Breached in the latest period: \(list(breached)).") }
        guard unmeasured.isEmpty, breached.isEmpty else {
            return DimensionStage(dimension: .crossFunctionalFit, stage: 2, reasons: reasons, toRaise: "Measure every SLA by a KPI and bring the breached ones back within their threshold.")
        }
        return DimensionStage(dimension: .crossFunctionalFit, stage: 3, reasons: reasons + ["Every SLA is measured and held."], toRaise: nil)
    }

    /// Names, the first three and a count of the rest.
    static func list(_ names: [String]) -> String {
        names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
    }
}

extension AlignmentFacts {
    /// Whether `period` is the latest period an SLA on `kpi` is judged in.
    func isRecent(_ period: String, kpi key: String?) -> Bool {
        guard let kpi = key.flatMap(spine.kpi), let latest = spine.latest(kpi) else { return false }
        return latest.period.description == period
    }
}
