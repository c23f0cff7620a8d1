import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct ReviewRow {
        var title: String
        var status: String
        var open: Bool
        var items: Int
        var undecided: Int
        var href: String

        init(_ review: OrgStanding.OpenReview, slug: String) {
            title = "\(review.cadence.capitalized) review of \(review.period)"
            status = ReviewStatus.open.rawValue
            open = true
            items = review.items
            undecided = review.undecided
            href = "/app/orgs/\(slug)/reviews/\(review.id.lowercasedText)"
        }

        init(_ review: ReviewView, slug: String) {
            title = "\(review.cadence.capitalized) review of \(review.period)"
            status = review.status.rawValue
            open = review.status == .open
            items = review.items.count
            undecided = review.undecided.count
            href = "/app/orgs/\(slug)/reviews/\(review.id.lowercasedText)"
        }
    }

    struct ReviewListPage {
        var rows: [ReviewRow]
        var cadences: [Choice]
        var problem: String?
    }

    struct ItemRow {
        var id: String
        var kind: String
        var title: String
        var subject: LinkView
        var outcome: String?
        var decision: String?
        var changes: String?
        var decided: Bool
        var action: String
        var outcomes: [Choice]
        var isPlay: Bool
    }

    struct ReviewPage {
        var title: String
        var open: Bool
        var summary: String?
        var closed: String?
        var items: [ItemRow]
        var undecided: Int
        var closeAction: String
        var problem: String?
    }

    func addReviewPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/reviews") { request, context -> Response in
            try await reviewList(request, context, problem: nil)
        }
        app.post("orgs/:org/reviews") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let review: ReviewView
            do {
                review = try await openReview({
                    guard let cadence = ReviewCadence(rawValue: context.form["cadence"] ?? "") else {
                        throw APIError.invalid(FieldError(field: "cadence", message: "must be one of \(ReviewCadence.allCases.map(\.rawValue).joined(separator: ", "))"))
                    }
                    return ReviewRequest(cadence: cadence, period: WebForm.optional("period", context.form))
                }, request, context)
            } catch let error as APIError where (400..<500).contains(error.status.code) && error.status != .notFound {
                return try await reviewList(request, context, problem: error.message, status: error.status)
            }
            return Self.seeOther("/app/orgs/\(slug)/reviews/\(review.id.lowercasedText)")
        }
        app.get("orgs/:org/reviews/:review") { request, context -> Response in
            try await reviewPage(request, context, problem: nil)
        }
        app.post("orgs/:org/reviews/:review/items/:item/decide") { request, context -> Response in
            try await reviewForm(request, context) {
                _ = try await decideReviewItem({
                    guard let outcome = ReviewOutcome(rawValue: context.form["outcome"] ?? "") else {
                        throw APIError.invalid(FieldError(field: "outcome", message: "must be one of \(ReviewOutcome.allCases.map(\.rawValue).joined(separator: ", "))"))
                    }
                    let rationale = try WebForm.required("rationale", context.form, label: "Rationale")
                    return ReviewDecisionRequest(outcome: outcome, rationale: rationale, changes: WebForm.optional("changes", context.form))
                }, request, context)
            }
        }
        app.post("orgs/:org/reviews/:review/close") { request, context -> Response in
            try await reviewForm(request, context) {
                _ = try await closeReview({ ReviewCloseRequest(summary: try WebForm.required("summary", context.form, label: "Summary")) }, request, context)
            }
        }
    }

    /// Runs a review form's change, then shows the review again: after a redirect when it worked, at once with
    /// the reason when it was refused.
    private func reviewForm(_ request: Request, _ context: Context, _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
        } catch let error as APIError where (400..<500).contains(error.status.code) && error.status != .notFound {
            return try await reviewPage(request, context, problem: error.message, status: error.status)
        }
        return Self.seeOther("/app/orgs/\(try Self.orgSlug(context))/reviews/\(try context.parameters.require("review"))")
    }

    private func reviewList(_ request: Request, _ context: Context, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let slug = try Self.orgSlug(context)
        let rows = try await inOrganization(request, context) { tx, access in
            let load = loader(access.organization.id, tx)
            return ReviewView.all(reviews: try await load(CollectionSchema.reviews.name), items: try await load(CollectionSchema.reviewItems.name)).map { ReviewRow($0, slug: slug) }
        }
        let page = ReviewListPage(rows: rows, cadences: ReviewCadence.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == .monthly) }, problem: problem)
        return try await webPage("reviews", title: "Reviews", org: slug, section: .reviews, request, context, status: status, page)
    }

    private func reviewPage(_ request: Request, _ context: Context, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let slug = try Self.orgSlug(context)
        let page = try await inOrganization(request, context) { tx, access in
            let org = access.organization.id
            guard let id = UUID(uuidString: try context.parameters.require("review")) else { throw APIError.notFound("That review") }
            let review = try await readReview(id, loader(org, tx))
            let data = try await governance.data(org: org, in: tx)
            let base = "/app/orgs/\(slug)/reviews/\(id.lowercasedText)"
            let items = try await review.items.asyncMap { item in
                ItemRow(
                    id: item.id.lowercasedText, kind: item.kind.rawValue, title: item.title,
                    subject: try await linkView(item.subject, slug: slug, data: data, org: org, tx: tx), outcome: item.outcome?.rawValue,
                    decision: item.decision.map { "/app/orgs/\(slug)/decisions/\($0.lowercasedText)" }, changes: item.changes,
                    decided: item.outcome != nil && item.decision != nil, action: "\(base)/items/\(item.id.lowercasedText)/decide",
                    outcomes: ReviewOutcome.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == .act) }, isPlay: item.kind == .play
                )
            }
            return ReviewPage(
                title: "\(review.cadence.capitalized) review of \(review.period)", open: review.status == .open, summary: review.summary,
                closed: review.closedBy.map { [data.directory.name($0), review.closedAt.map(CalendarDate.text)].compactMap { $0 }.joined(separator: ", ") },
                items: items, undecided: review.undecided.count, closeAction: "\(base)/close", problem: problem
            )
        }
        return try await webPage("review", title: page.title, org: slug, section: .reviews, request, context, status: status, page)
    }
}
