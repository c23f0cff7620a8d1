public import Foundation

/// What a review gathers, and the changes that open it and decide its items: one function for the server's
/// route and the replica offline, so a review prepared on a plane holds what the server would have gathered.
public enum ReviewAgenda {
    /// An item a review must decide.
    public struct Item: Sendable, Equatable, Codable {
        public var kind: ReviewItemKind
        /// `collection/uuid`.
        public var subject: String
        public var title: String
    }

    /// Every KPI outside its acceptable variance in `period`, every SLA breached in it, every play past its stop
    /// criteria, and every decision whose review date has come, as of the spine's moment.
    public static func gather(period: Period, spine: KPISpine, board: StrategyBoard, decisions: [UUID: RecordFields]) -> [Item] {
        var items: [Item] = []
        for kpi in spine.kpis.values.sorted(by: { $0.key < $1.key }) {
            let reading = spine.reading(kpi, period)
            guard reading.status == .offTrack else { continue }
            let unit = kpi.unitLabel ?? kpi.unit
            items.append(Item(
                kind: .kpi, subject: "kpis/\(kpi.id.lowercasedText)",
                title: "\(kpi.name) off track in \(period): \(Self.number(reading.actual, unit)) against \(Self.number(reading.target, unit))"
            ))
        }
        for sla in board.slas {
            let breaches = sla.breaches.filter { spine.settings.period($0.period).map(period.contains) ?? false }
            guard let latest = breaches.first else { continue }
            items.append(Item(kind: .sla, subject: "slas/\(sla.id.lowercasedText)", title: "SLA breached in \(latest.period): \(sla.name) (\(Self.number(latest.value, nil)) against \(Self.number(latest.threshold, nil)))"))
        }
        for play in board.plays {
            guard let reason = play.pastStop else { continue }
            items.append(Item(kind: .play, subject: "plays/\(play.id.lowercasedText)", title: "\(play.name) is \(reason)"))
        }
        let today = CalendarDate.text(spine.asOf)
        for (id, fields) in decisions.sorted(by: { ($0.value.text("review_on") ?? "", $0.key.uuidString) < ($1.value.text("review_on") ?? "", $1.key.uuidString) }) {
            guard fields.text("status") == DecisionStatus.decided.rawValue, let reviewOn = fields.text("review_on"), reviewOn <= today else { continue }
            items.append(Item(kind: .decision, subject: "decisions/\(id.lowercasedText)", title: "Due for review since \(reviewOn): \(fields.text("title") ?? "a decision")"))
        }
        return items
    }

    /// The changes that open a review with its items.
    public static func opening(_ review: UUID, cadence: ReviewCadence, period: Period, items: [Item]) -> [FollowUp] {
        let reference = FieldValue.reference(CollectionSchema.reviews.name, review)
        return [FollowUp(.create, CollectionSchema.reviews.name, review, [
            "cadence": .text(cadence.rawValue), "period": .text(period.description), "status": .text(ReviewStatus.open.rawValue),
        ])] + items.map { item in
            FollowUp(.create, CollectionSchema.reviewItems.name, UUID(), [
                "review": reference, "kind": .text(item.kind.rawValue), "subject": .text(item.subject), "title": .text(item.title),
            ])
        }
    }

    /// The right an item's outcome is decided under: `target.change` scoped to the KPI's key, `sla.change`,
    /// `play.activate`, or the reviewed decision's own type and scope; nil when its subject is gone.
    public static func right(
        of kind: ReviewItemKind, subject: String, record: (String, UUID) async throws -> RecordFields?
    ) async rethrows -> (type: String, scope: String?)? {
        let id = subject.split(separator: "/").last.flatMap { UUID(canonical: String($0)) }
        switch kind {
        case .sla: return ("sla.change", nil)
        case .play: return ("play.activate", nil)
        case .kpi:
            guard let id, let kpi = try await record(CollectionSchema.kpis.name, id) else { return nil }
            return ("target.change", kpi.text("key"))
        case .decision:
            guard let id, let decision = try await record(CollectionSchema.decisions.name, id), let type = decision.text("decision_type") else { return nil }
            return (type, decision.text("scope"))
        }
    }

    static func right(of kind: ReviewItemKind, subject: String, view: any RecordView) async throws -> (type: String, scope: String?)? {
        try await right(of: kind, subject: subject) { try await view.record($0, $1) }
    }

    /// Why an item cannot be decided as asked; nothing is written.
    public struct Refusal: Error, Sendable, Equatable {
        public var reason: String
    }

    /// The changes that decide `item` of `review`, checked first, so nothing is written for an outcome that
    /// cannot stand: the review is open, a stop names what it stops (a play item its own play), there is a
    /// rationale, and what the item is about still exists to take its right from.
    public static func decide(
        _ review: ReviewView, _ item: ReviewView.ItemView, outcome: ReviewOutcome, rationale: String, changes: String?,
        record: (String, UUID) async throws -> RecordFields?
    ) async throws -> [FollowUp] {
        guard review.status == .open else { throw Refusal(reason: "the \(review.period) review is closed; its items stay as they were decided") }
        guard !rationale.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw Refusal(reason: "a decision needs its rationale") }
        let changes = changes ?? (outcome == .stop && item.kind == .play ? item.subject : nil)
        if outcome == .stop, changes == nil {
            throw Refusal(reason: "stop needs the play or target it stops: changes=plays/<id> or targets/<id>")
        }
        guard let right = try await right(of: item.kind, subject: item.subject, record: record) else {
            throw Refusal(reason: "what the item is about (\(item.subject)) no longer exists; hold it, saying so")
        }
        let fields: RecordFields = ["kind": .text(item.kind.rawValue), "subject": .text(item.subject), "title": .text(item.title)]
        return deciding(item.id, fields, outcome: outcome, rationale: rationale, cadence: ReviewCadence(rawValue: review.cadence) ?? .monthly, changes: changes, right: right)
    }

    /// The changes that decide an item: the decision logged under `right`, the item's outcome, and, to stop a
    /// play, the play stopped. A decision due for review is superseded by the one that reviews it, so it is not
    /// gathered again.
    public static func deciding(
        _ item: UUID, _ fields: RecordFields, outcome: ReviewOutcome, rationale: String, cadence: ReviewCadence, changes: String?,
        right: (type: String, scope: String?)
    ) -> [FollowUp] {
        let kind = fields.text("kind").flatMap(ReviewItemKind.init) ?? .decision
        let subject = fields.text("subject") ?? ""
        let decision = UUID()
        let verb = switch outcome {
        case .act: "Act on"
        case .hold: "Hold"
        case .stop: "Stop"
        }
        var links = [subject, "review_items/\(item.lowercasedText)"]
        if let changes, changes != subject { links.append(changes) }
        var logged: RecordFields = [
            "title": .text(StrategyRules.decisionTitle("\(verb): \(fields.text("title") ?? "")")), "decision_type": .text(right.type),
            "rationale": .text(rationale), "cadence": .text(cadence.rawValue), "links": .strings(links), "status": .text(DecisionStatus.decided.rawValue),
        ]
        if let scope = right.scope { logged["scope"] = .text(scope) }
        if kind == .decision { logged["supersedes"] = .text(subject) }
        var outcomeFields: RecordFields = ["outcome": .text(outcome.rawValue), "decision": .reference(CollectionSchema.decisions.name, decision)]
        if let changes { outcomeFields["changes"] = .text(changes) }
        var result = [FollowUp(.create, CollectionSchema.decisions.name, decision, logged), FollowUp(.update, CollectionSchema.reviewItems.name, item, outcomeFields)]
        if outcome == .stop, let changes, changes.hasPrefix("plays/"), let play = UUID(canonical: String(changes.dropFirst(6))) {
            result.append(FollowUp(.update, CollectionSchema.plays.name, play, ["status": .text(PlayStatus.stopped.rawValue), "rationale": .text(rationale)]))
        }
        return result
    }

    private static func number(_ value: Double?, _ unit: String?) -> String {
        guard let value else { return "nothing" }
        let text = KPIRules.format(.double((value * 1_000).rounded() / 1_000))
        return unit == "percent" && abs(value) <= 1.5 ? KPIRules.format(.double((value * 1_000).rounded() / 10)) + "%" : text
    }
}
