import Foundation

/// The rules of cadence reviews: a review covers one period of its cadence's grain, closes only when every item
/// has an outcome with its decision and a summary says what was concluded, and stays as it was closed.
enum ReviewRules {
    @Sendable static func judgeReview(_ input: RuleInput) async throws -> RuleDecision {
        let stored = input.stored.flatMap { $0.text("status") }.flatMap(ReviewStatus.init)
        guard input.actor.origin == .member else { return .accept }
        if stored == .closed {
            return .reject("invalid_transition", "This review was closed; it stays as it was. Open a new review for what came up since.")
        }
        guard let merged = input.merged else { return .accept }
        if input.operation == .update, input.changes("cadence") || input.changes("period") {
            return .reject("invalid", "A review keeps its cadence and period; open a new review for another period.")
        }
        if input.operation == .create {
            guard merged.text("status") == ReviewStatus.open.rawValue else { return .reject("invalid", "A review starts open; close it when every item has a decision.") }
            let settings = try await OrganizationSettings.load(input.view)
            guard let cadence = merged.text("cadence").flatMap(ReviewCadence.init), let period = merged.text("period").flatMap(settings.period),
                  period.grain == cadence.grain, period.description == merged.text("period"), ReviewCadence.spells(period, settings) else {
                return .reject("invalid", "A \(merged.text("cadence") ?? "") review covers one \(merged.text("cadence").flatMap(ReviewCadence.init)?.grain.rawValue ?? "period"), such as \(Self.example(merged.text("cadence"))); '\(merged.text("period") ?? "")' is not one.")
            }
            let same = try await input.view.records(CollectionSchema.reviews.name, matching: [
                "cadence": .text(cadence.rawValue), "period": .text(period.description), "status": .text(ReviewStatus.open.rawValue),
            ]).keys.filter { $0 != input.recordID }
            if let open = same.first {
                return .reject("duplicate_review", "The \(cadence.rawValue) review of \(period) is open already (\(open.lowercasedText)); continue that one.")
            }
            return .accept(stamping: ["opened_by": .text(input.actor.userID.lowercasedText)])
        }
        guard merged.text("status") == ReviewStatus.closed.rawValue else { return .accept }
        if (merged.text("summary") ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .reject("invalid", "Closing a review needs a summary of what it concluded (summary=...).")
        }
        let items = try await input.view.records(CollectionSchema.reviewItems.name, matching: ["review": .reference(CollectionSchema.reviews.name, input.recordID)])
        // In the order the review shows them: by kind, then title.
        let rank = { (fields: RecordFields) in (fields.text("kind").flatMap(ReviewItemKind.init).flatMap(ReviewItemKind.allCases.firstIndex) ?? 0, fields.text("title") ?? "") }
        let open = items.values.filter { $0.text("outcome") == nil || $0.text("decision") == nil }.sorted { rank($0) < rank($1) }.compactMap { $0.text("title") }
        if !open.isEmpty {
            let named = open.prefix(3).joined(separator: "; ") + (open.count > 3 ? "; and \(open.count - 3) more" : "")
            return .reject("items_open", "\(open.count) item\(open.count == 1 ? "" : "s") still need\(open.count == 1 ? "s" : "") a decision before the review closes: \(named).")
        }
        return .accept(stamping: ["closed_by": .text(input.actor.userID.lowercasedText), "closed_at": .text(FieldSchema.canonicalTime(input.now))])
    }

    @Sendable static func judgeItem(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        let fields = input.merged ?? input.stored ?? [:]
        guard let reviewID = fields.reference("review", into: CollectionSchema.reviews.name),
              let review = try await input.view.record(CollectionSchema.reviews.name, reviewID) else {
            return .reject("missing_reference", "review must name one of the organization's reviews as reviews/<id>.")
        }
        if review.text("status") == ReviewStatus.closed.rawValue {
            return .reject("invalid_transition", "The review of \(review.text("period") ?? "that period") is closed and its items stay as they were decided; open a new review for what came up since.")
        }
        guard let merged = input.merged else {
            return .reject("invalid", "An item stays on its review until it is decided; decide it (hold, if nothing changes) rather than remove it.")
        }
        if input.operation == .update, ["review", "kind", "subject"].contains(where: input.changes) {
            return .reject("invalid", "An item keeps its review, kind and subject; add another item instead.")
        }
        guard let outcome = merged.text("outcome").flatMap(ReviewOutcome.init) else {
            return (merged["decision"] ?? .null) == .null ? .accept : .reject("invalid", "A decision records an outcome: set outcome to act, hold or stop.")
        }
        guard let decision = merged.reference("decision", into: CollectionSchema.decisions.name),
              let logged = try await input.view.record(CollectionSchema.decisions.name, decision) else {
            return .reject("invalid", "The outcome \(outcome.rawValue) needs its decision in the log: decision=decisions/<id>.")
        }
        // The decision must be this item's own: decided (so its right was judged), under the right of what the
        // item is about, and linking the item; a new outcome needs a new decision.
        let item = "\(CollectionSchema.reviewItems.name)/\(input.recordID.lowercasedText)"
        let subject = merged.text("subject") ?? ""
        let expected = try await ReviewAgenda.right(of: merged.text("kind").flatMap(ReviewItemKind.init) ?? .decision, subject: subject, view: input.view)
        guard logged.text("status") == DecisionStatus.decided.rawValue, logged.strings("links").contains(item),
              expected.map({ logged.text("decision_type") == $0.type && logged.text("scope") == $0.scope }) ?? true else {
            return .reject("invalid", "The decision must be decided, logged under \(expected?.type ?? "the right of what the item is about"), and link \(item); accord review decide logs one.")
        }
        if input.operation == .update, input.changes("outcome"), !input.changes("decision") {
            return .reject("invalid", "A new outcome is a new decision; log one for \(outcome.rawValue) and link it.")
        }
        if outcome == .stop, merged.text("changes") == nil {
            return .reject("invalid", "Stopping needs the play or target it stops: changes=plays/<id> or targets/<id>.")
        }
        return .accept
    }

    private static func example(_ cadence: String?) -> String {
        switch cadence.flatMap(ReviewCadence.init) {
        case .weekly?: "2026-W45"
        case .quarterly?: "2026-Q4"
        default: "2026-11"
        }
    }
}
