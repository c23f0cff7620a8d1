import AccordCore
import Foundation
import Hummingbird
import PostgresNIO

extension AccordAPI {
    /// The strategy's computed views, and cadence reviews.
    func addStrategyRoutes(to v1: RouterGroup<Context>) {
        v1.get("orgs/:org/strategy") { request, context -> StrategyBoard in
            try await inOrganization(request, context) { tx, access in try await strategyBoard(asOf: try Self.asOf(request), access, tx) }
        }
        v1.get("orgs/:org/alignment") { request, context -> AlignmentReport in
            try await inOrganization(request, context) { tx, access in try await alignmentReport(asOf: try Self.asOf(request), access, tx) }
        }
        // Bodies are read inside the organization's transaction, so a non-member learns nothing from a 422.
        v1.post("orgs/:org/reviews") { request, context -> EditedResponse<ReviewView> in
            let review = try await openReview({ try await request.decodeJSON(as: ReviewRequest.self, context: context) }, request, context)
            return EditedResponse(status: .created, response: review)
        }
        v1.post("orgs/:org/reviews/:review/items/:item/decide") { request, context -> ReviewView in
            try await decideReviewItem({ try await request.decodeJSON(as: ReviewDecisionRequest.self, context: context) }, request, context)
        }
        v1.post("orgs/:org/reviews/:review/close") { request, context -> ReviewView in
            try await closeReview({ try await request.decodeJSON(as: ReviewCloseRequest.self, context: context) }, request, context)
        }
        v1.get("orgs/:org/reviews") { request, context -> [ReviewView] in
            try await inOrganization(request, context) { tx, access in
                let load = loader(access.organization.id, tx)
                return ReviewView.all(reviews: try await load(CollectionSchema.reviews.name), items: try await load(CollectionSchema.reviewItems.name))
            }
        }
        v1.get("orgs/:org/reviews/:review") { request, context -> ReviewView in
            try await inOrganization(request, context) { tx, access in
                guard let id = UUID(uuidString: try context.parameters.require("review")) else { throw APIError.notFound("review") }
                return try await readReview(id, loader(access.organization.id, tx))
            }
        }
    }

    func strategyBoard(asOf: Date?, _ access: OrganizationAccess, _ tx: Transaction) async throws -> StrategyBoard {
        let load = loader(access.organization.id, tx)
        return try await StrategyBoard.compute(spine: try await KPISpine(asOf: asOf ?? governance.now(), load: load), load: load)
    }

    func alignmentReport(asOf: Date?, _ access: OrganizationAccess, _ tx: Transaction) async throws -> AlignmentReport {
        let load = loader(access.organization.id, tx)
        let spine = try await KPISpine(asOf: asOf ?? governance.now(), load: load)
        return try await AlignmentReport.compute(spine: spine, board: try await StrategyBoard.compute(spine: spine, load: load), load: load)
    }

    /// The query's `as_of`, its only parameter.
    static func asOf(_ request: Request) throws -> Date? {
        var asOf: Date?
        for (name, value) in request.uri.queryParameters {
            guard name == "as_of" else { throw APIError.invalid(FieldError(field: String(name), message: "is not a parameter here; use as_of")) }
            asOf = try Self.endOfDay("as_of", String(value))
        }
        return asOf
    }

    /// Records the outcome of the review item the `:item` parameter names, with its decision, in one transaction.
    func decideReviewItem(_ read: @escaping () async throws -> ReviewDecisionRequest, _ request: Request, _ context: Context) async throws -> ReviewView {
        try await reviewStep(request, context) { review, load in
            let body = try await read()
            guard let item = review.items.first(where: { $0.id.lowercasedText == (context.parameters.get("item") ?? "").lowercased() }) else {
                throw APIError.notFound("item of the \(review.period) review")
            }
            return try await ReviewAgenda.decide(review, item, outcome: body.outcome, rationale: body.rationale, changes: body.changes) { collection, id in
                try await load(collection)[id]
            }
        }
    }

    /// Closes the review the `:review` parameter names with its summary; the review's rules refuse it while items are open.
    func closeReview(_ read: @escaping () async throws -> ReviewCloseRequest, _ request: Request, _ context: Context) async throws -> ReviewView {
        try await reviewStep(request, context) { review, _ in
            let body = try await read()
            return [FollowUp(.update, CollectionSchema.reviews.name, review.id, ["status": .text(ReviewStatus.closed.rawValue), "summary": .text(body.summary)])]
        }
    }

    /// Opens a review with every item it must decide, each a change through the write path, in one transaction.
    func openReview(_ read: () async throws -> ReviewRequest, _ request: Request, _ context: Context) async throws -> ReviewView {
        let (review, org, head): (ReviewView, UUID, Int64) = try await inOrganization(request, context) { tx, access in
            let body = try await read()
            let load = loader(access.organization.id, tx)
            let spine = try await KPISpine(asOf: governance.now(), load: load)
            let period = try Self.reviewed(body, settings: spine.settings, current: spine.currentPeriod(body.cadence.grain))
            let board = try await StrategyBoard.compute(spine: spine, load: load)
            let items = ReviewAgenda.gather(period: period, spine: spine, board: board, decisions: try await load(CollectionSchema.decisions.name))
            let id = UUID()
            var head: Int64 = 0
            for change in ReviewAgenda.opening(id, cadence: body.cadence, period: period, items: items) {
                head = try await records.write(change, ifMatch: nil, access: access, in: tx).head
            }
            return (try await readReview(id, load), access.organization.id, head)
        }
        heads.advance(org, to: head)
        return review
    }

    /// One step of a review: the changes `step` makes, each through the write path, in one transaction, so a
    /// decision, its outcome and the play it stops land together or not at all; answers the review after.
    private func reviewStep(
        _ request: Request, _ context: Context,
        _ step: @escaping (ReviewView, @escaping (String) async throws -> [UUID: RecordFields]) async throws -> [FollowUp]
    ) async throws -> ReviewView {
        let (review, org, head): (ReviewView, UUID, Int64) = try await inOrganization(request, context) { tx, access in
            guard let id = UUID(uuidString: try context.parameters.require("review")) else { throw APIError.notFound("review") }
            let load = loader(access.organization.id, tx)
            let changes: [FollowUp]
            do {
                changes = try await step(try await readReview(id, load), load)
            } catch let refusal as ReviewAgenda.Refusal {
                throw APIError.invalid(FieldError(field: "review", message: refusal.reason))
            }
            var head: Int64 = 0
            for change in changes { head = try await records.write(change, ifMatch: nil, access: access, in: tx).head }
            return (try await readReview(id, load), access.organization.id, head)
        }
        heads.advance(org, to: head)
        return review
    }

    /// The period a review asks for, of its cadence's grain; else the last complete one.
    static func reviewed(_ body: ReviewRequest, settings: OrganizationSettings, current: Period) throws -> Period {
        guard let text = body.period else { return current.shifted(by: 1, fiscalStartMonth: settings.fiscalYearStartMonth) }
        guard let period = settings.period(text), period.grain == body.cadence.grain else {
            throw APIError.invalid(FieldError(field: "period", message: "must be one \(body.cadence.grain.rawValue), spelled like \(Period.spelling); '\(text)' is not"))
        }
        return period
    }

    func loader(_ org: UUID, _ tx: Transaction) -> (String) async throws -> [UUID: RecordFields] {
        { name in try await governance.live(name, org: org, in: tx) }
    }

    func readReview(_ id: UUID, _ load: (String) async throws -> [UUID: RecordFields]) async throws -> ReviewView {
        guard let review = ReviewView(id, reviews: try await load(CollectionSchema.reviews.name), items: try await load(CollectionSchema.reviewItems.name)) else {
            throw APIError.notFound("review '\(id.lowercasedText)'")
        }
        return review
    }
}
