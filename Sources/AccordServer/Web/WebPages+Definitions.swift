import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct GlossaryRow {
        var term: String
        var category: String
        var owner: String
        var status: String
        var version: String
        var certified: String
        var openProposals: Int
        var href: String
    }

    struct GlossaryPage {
        var query: String
        var rows: [GlossaryRow]
    }

    struct VersionRow {
        var id: String
        var label: String
        var status: String
        var proposedBy: String
        var decided: String
        var rationale: String
        var href: String
        var isFrom: Bool
        var isTo: Bool
    }

    struct VersionText {
        var term: String
        var label: String
        /// The body's Markdown as safe HTML.
        var body: String?
        var criteria: String?
        var synonyms: String?
        var certified: String
    }

    struct DefinitionPage {
        var term: String
        var category: String
        var owner: String
        var status: String
        var asOf: String?
        /// The page itself, for its as-of form and the link back to today.
        var href: String
        var current: VersionText?
        var versions: [VersionRow]
        var canDiff: Bool
        var proposals: [VersionRow]
        var impact: [LinkView]
        var diffHref: String
        /// The certified body, to start a proposal from.
        var draft: String
        var proposeAction: String
        var why: String
        var breaking: Bool
        var problem: String?
    }

    func addDefinitionPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/definitions") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let query = request.uri.queryParameters["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            let page = try await inOrganization(request, context) { tx, access in
                let data = try await governance.data(org: access.organization.id, in: tx)
                let rows = DefinitionSummary.all(in: data).filter { query.isEmpty || $0.term.localizedCaseInsensitiveContains(query) || $0.category.localizedCaseInsensitiveContains(query) }
                return GlossaryPage(query: query, rows: rows.map { summary in
                    GlossaryRow(
                        term: summary.term, category: summary.category, owner: summary.ownerTeam ?? "—", status: summary.status, version: summary.version ?? "—",
                        certified: [summary.certifiedBy, summary.certifiedAt.map(CalendarDate.text)].compactMap { $0 }.joined(separator: ", "),
                        openProposals: summary.openProposals, href: "/app/orgs/\(slug)/definitions/\(Self.pathPart(summary.term))"
                    )
                })
            }
            return try await webPage("definitions", title: "Definitions", org: slug, section: .definitions, request, context, page)
        }
        app.get("orgs/:org/definitions/:definition") { request, context -> Response in
            try await definitionPage(request, context, problem: nil)
        }
        app.get("orgs/:org/definitions/:definition/diff") { request, context -> Response in
            try await diffPage(request, context)
        }
        app.post("orgs/:org/definitions/:definition/proposals") { request, context -> Response in
            let form = context.form
            let version: VersionView
            do {
                version = try await propose({
                    ProposalRequest(
                        body: WebForm.optional("body", form), rationale: try WebForm.required("rationale", form, label: "Why"), breaking: form["breaking"] == "true"
                    )
                }, request, context)
            } catch let error as APIError where (400..<500).contains(error.status.code) && error.status != .notFound {
                return try await definitionPage(request, context, problem: error.message, status: error.status)
            }
            return Self.seeOther("/app/orgs/\(try Self.orgSlug(context))/proposals/\(version.id.lowercasedText)")
        }
    }

    private func definitionPage(_ request: Request, _ context: Context, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let slug = try Self.orgSlug(context)
        let reference = try Self.named("definition", context)
        let asOfText = request.uri.queryParameters["as_of"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let asOf = try asOfText.map { try Self.endOfDay("as_of", $0) }
        let page = try await inOrganization(request, context) { tx, access in
            let org = access.organization.id
            let data = try await governance.data(org: org, in: tx)
            let detail = try governance.detail(reference, asOf: asOf, in: data)
            let base = "/app/orgs/\(slug)"
            let versions = data.versions(of: detail.definition.id)
            let impact = try await governance.impact(reference, org: org, in: tx).map { entry in
                LinkView(label: "\(entry.collection.replacingOccurrences(of: "_", with: " ")): \(entry.title) (\(entry.field))", href: entry.collection == CollectionSchema.decisions.name ? "\(base)/decisions/\(entry.id.lowercasedText)" : nil)
            }
            return DefinitionPage(
                term: detail.definition.term, category: detail.definition.category, owner: detail.definition.ownerTeam ?? "—",
                status: detail.definition.status, asOf: asOfText, href: "\(base)/definitions/\(Self.pathPart(detail.definition.term))",
                current: detail.version.map { Self.versionText($0, slug: slug) },
                versions: versions.enumerated().map { index, version in
                    Self.versionRow(version, slug: slug, from: index == versions.count - 2, to: index == versions.count - 1)
                },
                canDiff: versions.count > 1, proposals: detail.proposals.map { Self.versionRow($0, slug: slug) }, impact: impact,
                diffHref: "\(base)/definitions/\(Self.pathPart(detail.definition.term))/diff",
                // A refused proposal comes back as it was written.
                draft: problem == nil ? versions.last { $0.status == .approved }?.body ?? "" : context.form["body"] ?? "",
                proposeAction: "\(base)/definitions/\(Self.pathPart(detail.definition.term))/proposals",
                why: problem == nil ? "" : context.form["rationale"] ?? "", breaking: problem != nil && context.form["breaking"] == "true", problem: problem
            )
        }
        return try await webPage("definition", title: page.term, org: slug, section: .definitions, request, context, status: status, page)
    }

    static func versionRow(_ version: VersionView, slug: String, from: Bool = false, to: Bool = false) -> VersionRow {
        VersionRow(
            id: version.id.lowercasedText, label: version.label, status: version.status.rawValue, proposedBy: version.proposedBy ?? "—",
            decided: [version.decidedBy, version.decidedAt.map(CalendarDate.text)].compactMap { $0 }.joined(separator: ", "),
            rationale: version.rationale, href: "/app/orgs/\(slug)/proposals/\(version.id.lowercasedText)", isFrom: from, isTo: to
        )
    }

    static func versionText(_ version: VersionView, slug: String) -> VersionText {
        VersionText(
            term: version.term, label: version.label, body: version.body.map { WebMarkdown.html($0, org: slug) }, criteria: version.criteria,
            synonyms: version.synonyms.isEmpty ? nil : version.synonyms.joined(separator: ", "),
            certified: [version.decidedBy.map { "certified by \($0)" }, version.decidedAt.map(CalendarDate.text)].compactMap { $0 }.joined(separator: ", ")
        )
    }
}
