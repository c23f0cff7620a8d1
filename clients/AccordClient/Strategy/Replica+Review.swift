public import AccordCore
public import Foundation

/// Cadence reviews on the replica: opened with what the server would gather, decided and closed offline, and
/// judged again by the server at sync.
extension Replica {
    public func reviews() throws -> [ReviewView] {
        ReviewView.all(reviews: try fieldsByID(CollectionSchema.reviews.name), items: try fieldsByID(CollectionSchema.reviewItems.name))
    }

    /// The review a person names by id (or its start), else the latest open one, else the latest.
    public func review(_ name: String?) throws -> ReviewView {
        let all = try reviews()
        if let name {
            let matches = all.filter { $0.id.lowercasedText.hasPrefix(name.lowercased()) }
            guard matches.count == 1, let review = matches.first else {
                throw ClientError.notFound(matches.isEmpty ? "there is no review '\(name)'; accord review show lists them" : "'\(name)' starts \(matches.count) reviews' ids; give more of it")
            }
            return review
        }
        guard let latest = all.first(where: { $0.status == .open }) ?? all.first else {
            throw ClientError.notFound("there are no reviews yet; accord review start --cadence monthly opens one")
        }
        return latest
    }

    /// Opens a review of `period` (by default the last complete period of the cadence) with every item it must
    /// decide, gathered as of `asOf`.
    public func startReview(_ cadence: ReviewCadence, period text: String?, asOf: Date = Date()) async throws -> (review: ReviewView, warning: Rejection?) {
        let spine = try await kpiSpine(asOf: asOf)
        let period: Period
        if let text {
            guard let parsed = spine.settings.period(text), parsed.grain == cadence.grain, ReviewCadence.spells(parsed, spine.settings) else {
                throw ClientError.invalidInput("'\(text)' is not a \(cadence.grain.rawValue) as the organization counts them; a \(cadence.rawValue) review covers one, spelled like \(Period.spelling)")
            }
            period = parsed
        } else {
            period = spine.currentPeriod(cadence.grain).shifted(by: 1, fiscalStartMonth: spine.settings.fiscalYearStartMonth)
        }
        if let open = try reviews().first(where: { $0.status == .open && $0.cadence == cadence.rawValue && $0.period == period.description }) {
            throw ClientError.invalidInput("the \(cadence.rawValue) review of \(period) is open already (\(open.id.lowercasedText.prefix(8))); accord review show shows it")
        }
        let board = try await StrategyBoard.compute(spine: spine) { try fieldsByID($0) }
        let items = ReviewAgenda.gather(period: period, spine: spine, board: board, decisions: try fieldsByID(CollectionSchema.decisions.name))
        let id = UUID()
        var warning: Rejection?
        for change in ReviewAgenda.opening(id, cadence: cadence, period: period, items: items) {
            warning = try await create(change.collection, change.fields, id: change.recordID).warning ?? warning
        }
        guard let review = try reviews().first(where: { $0.id == id }) else { throw ClientError.notFound("the review just opened is missing") }
        return (review, warning)
    }

    /// Decides item `number` (from 1, in the order the review shows them): logs the decision, records the
    /// outcome and, to stop a play, stops it.
    public func decide(_ review: ReviewView, item number: Int, outcome: ReviewOutcome, rationale: String, changes: String?) async throws -> Rejection? {
        guard review.items.indices.contains(number - 1) else {
            throw ClientError.invalidInput("the review has \(review.items.count) item\(review.items.count == 1 ? "" : "s"); choose one from 1 to \(review.items.count)")
        }
        let view = ReplicaRecordView(replica: self)
        let steps: [FollowUp]
        do {
            steps = try await ReviewAgenda.decide(review, review.items[number - 1], outcome: outcome, rationale: rationale, changes: changes) { try await view.record($0, $1) }
        } catch let refusal as ReviewAgenda.Refusal {
            throw ClientError.invalidInput(refusal.reason)
        }
        var warning: Rejection?
        for change in steps {
            let written = change.operation == .create
                ? try await create(change.collection, change.fields, id: change.recordID)
                : try await update(change.collection, change.recordID, change.fields)
            warning = warning ?? written.warning
        }
        return warning
    }

    /// Closes a review whose items all have their decisions; one with open items is refused here, as the server
    /// would refuse it, and nothing is queued.
    public func close(_ review: ReviewView, summary: String) async throws -> LocalWrite {
        guard review.status == .open else { throw ClientError.invalidInput("the \(review.period) review is closed already") }
        let open = review.undecided.compactMap { item in review.items.firstIndex(of: item).map { "\($0 + 1)" } }
        guard open.isEmpty else {
            throw ClientError.invalidInput("item\(open.count == 1 ? "" : "s") \(open.joined(separator: ", ")) still need\(open.count == 1 ? "s" : "") a decision; accord review decide <item> act|hold|stop --rationale \"...\"")
        }
        return try await update(CollectionSchema.reviews.name, review.id, ["status": .text(ReviewStatus.closed.rawValue), "summary": .text(summary)])
    }

    func fieldsByID(_ collection: String) throws -> [UUID: RecordFields] {
        try records(collection).reduce(into: [:]) { $0[$1.id] = $1.fields }
    }
}
