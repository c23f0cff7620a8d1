import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct DiffRow {
        var left: String?
        var right: String?
        var leftMark: String
        var rightMark: String
    }

    struct DiffPage {
        var term: String
        var from: String
        var to: String
        var versions: [Choice]
        var toVersions: [Choice]
        var fields: [DefinitionDiff.FieldChange]
        var criteria: [DefinitionDiff.CriterionChange]
        var rows: [DiffRow]
        var same: Bool
        var definitionHref: String
    }

    struct ResponseRow {
        var name: String
        var stance: String
        var comment: String?
        var at: String
    }

    struct ProposalPage {
        var id: String
        /// Where the forms post, with the action's name appended.
        var action: String
        var term: String
        var label: String
        var status: String
        var open: Bool
        var rationale: String
        var breaking: Bool
        var proposedBy: String
        var decided: String?
        var decisionNote: String?
        var proposed: VersionText
        var changes: [DiffRow]
        var basedOn: String?
        var responses: [ResponseRow]
        var decider: String
        var agree: String
        var input: String
        var canRespond: Bool
        var canDecide: Bool
        var canWithdraw: Bool
        var definitionHref: String
        var problem: String?
    }

    func diffPage(_ request: Request, _ context: Context) async throws -> Response {
        let slug = try Self.orgSlug(context)
        let reference = try Self.named("definition", context)
        let page = try await inOrganization(request, context) { tx, access in
            let data = try await governance.data(org: access.organization.id, in: tx)
            let id = try governance.definition(reference, in: data).id
            let versions = data.versions(of: id)
            let toName = request.uri.queryParameters["to"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "current"
            let to = try governance.version(toName, of: id, in: data)
            let fromName = request.uri.queryParameters["from"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let from = try fromName.map { try governance.version($0, of: id, in: data) }
                ?? versions.last { $0.id != to.id && ($0.proposedAt ?? .distantPast) <= (to.proposedAt ?? .distantFuture) } ?? to
            let diff = DefinitionDiff(from: from, to: to)
            let choices = { (chosen: UUID) in versions.map { Choice(value: $0.version ?? $0.id.lowercasedText, label: "\($0.label) (\($0.status.rawValue))", selected: $0.id == chosen) } }
            return DiffPage(
                term: to.term, from: diff.from, to: diff.to, versions: choices(from.id), toVersions: choices(to.id), fields: diff.fields,
                criteria: diff.criteria, rows: Self.sideBySide(diff.body), same: diff.isEmpty,
                definitionHref: "/app/orgs/\(slug)/definitions/\(Self.pathPart(reference))"
            )
        }
        return try await webPage("diff", title: "\(page.term): \(page.from) → \(page.to)", org: slug, section: .definitions, request, context, page)
    }

    /// A line diff as two columns: unchanged lines on both sides, a run of removed lines beside the run of
    /// added lines that replaced it.
    static func sideBySide(_ lines: [DefinitionDiff.Line]) -> [DiffRow] {
        var rows: [DiffRow] = []
        var removed: [String] = [], added: [String] = []
        func flush() {
            for index in 0..<max(removed.count, added.count) {
                let left = index < removed.count ? removed[index] : nil, right = index < added.count ? added[index] : nil
                rows.append(DiffRow(left: left, right: right, leftMark: left == nil ? "empty" : "removed", rightMark: right == nil ? "empty" : "added"))
            }
            removed = []
            added = []
        }
        for line in lines {
            switch line.mark {
            case "-": removed.append(line.text)
            case "+": added.append(line.text)
            default:
                flush()
                rows.append(DiffRow(left: line.text, right: line.text, leftMark: "same", rightMark: "same"))
            }
        }
        flush()
        return rows
    }

    func addProposalPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/proposals/:proposal") { request, context -> Response in
            try await proposalPage(request, context, problem: nil)
        }
        for action in ProposalAction.allCases {
            app.post(RouterPath("orgs/:org/proposals/:proposal/\(action.rawValue)")) { request, context -> Response in
                do {
                    _ = try await act(action, comment: WebForm.optional("comment", context.form), request, context)
                } catch let error as APIError where (400..<500).contains(error.status.code) && error.status != .notFound {
                    return try await proposalPage(request, context, problem: error.message, status: error.status)
                }
                return Self.seeOther("/app/orgs/\(try Self.orgSlug(context))/proposals/\(try context.parameters.require("proposal"))")
            }
        }
    }

    private func proposalPage(_ request: Request, _ context: Context, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let slug = try Self.orgSlug(context)
        let page = try await inOrganization(request, context) { tx, access in
            let data = try await governance.data(org: access.organization.id, in: tx)
            guard let id = UUID(uuidString: try context.parameters.require("proposal")), let fields = data.versions[id],
                  let definitionID = fields.reference("definition", into: CollectionSchema.definitions.name), let definition = data.definitions[definitionID] else {
                throw APIError.notFound("That proposal")
            }
            let version = VersionView(id: id, fields: fields, data: data)
            let right = data.right(forDefinition: definition)
            let scope = right.scope ?? definition.text("category")
            let member = governance.member(access, in: data)
            let holds = { (role: RightRole) in
                data.rights.check(member, role, type: right.type, scope: scope, waitingSince: version.proposedAt, now: governance.now()).holds
            }
            let basedOn = version.basedOn.flatMap { based in data.versions(of: definitionID).first { $0.id == based } }
            let open = version.status == .proposed || version.status == .draft
            let describe = { (holders: [Holder]) in holders.isEmpty ? "nobody" : holders.map(data.directory.describe).joined(separator: "; ") }
            return ProposalPage(
                id: id.lowercasedText, action: "/app/orgs/\(slug)/proposals/\(id.lowercasedText)", term: version.term, label: version.label, status: version.status.rawValue, open: open, rationale: version.rationale,
                breaking: version.breaking, proposedBy: version.proposedBy ?? "—",
                decided: version.decidedAt == nil ? nil : [version.decidedBy, version.decidedAt.map(CalendarDate.text)].compactMap { $0 }.joined(separator: ", "),
                decisionNote: version.decisionNote, proposed: Self.versionText(version, slug: slug),
                changes: basedOn.map { Self.sideBySide(DefinitionDiff(from: $0, to: version).body) } ?? [], basedOn: basedOn?.label,
                responses: version.responses.map { ResponseRow(name: $0.name, stance: $0.stance.rawValue, comment: $0.comment, at: $0.at.map(CalendarDate.text) ?? "") },
                decider: describe(right.holders(.decide)), agree: describe(right.holders(.agree)), input: describe(right.holders(.input)),
                canRespond: open && (holds(.agree) || holds(.input)), canDecide: open && holds(.decide), canWithdraw: open && version.proposedByID == access.userID,
                definitionHref: "/app/orgs/\(slug)/definitions/\(Self.pathPart(version.term))", problem: problem
            )
        }
        return try await webPage("proposal", title: "\(page.term) \(page.label)", org: slug, section: .definitions, request, context, status: status, page)
    }
}
