import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct DecisionRow: Sendable {
        var title: String
        var type: String
        var status: String
        var decidedBy: String
        var decidedOn: String
        var reviewOn: String?
        var due: Bool
        var href: String

        init(_ entry: DecisionEntry, slug: String, today: String = "") {
            title = entry.title
            type = entry.type
            status = entry.status.rawValue
            decidedBy = entry.decidedBy ?? "—"
            decidedOn = entry.decidedOn ?? "—"
            reviewOn = entry.reviewOn
            due = !today.isEmpty && entry.isDue(today: today)
            href = "/app/orgs/\(slug)/decisions/\(entry.id.lowercasedText)"
        }
    }

    struct Choice {
        var value: String
        var label: String
        var selected: Bool
    }

    struct DecisionLogPage {
        var rows: [DecisionRow]
        var types: [Choice]
        var statuses: [Choice]
        var deciders: [Choice]
        var since: String
        var until: String
        var due: Bool
        var filtered: Bool
    }

    struct LinkView {
        var label: String
        var href: String?
    }

    struct DecisionPage {
        var entry: DecisionRow
        var scope: String?
        var rationale: String
        var cadence: String?
        var links: [LinkView]
        /// Oldest first: the decisions this one replaced, itself, and those that replaced it.
        var chain: [DecisionRow]
        var hasChain: Bool
        var currentID: String
    }

    func addDecisionPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/decisions") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters where !value.isEmpty && ["type", "status", "decider", "since", "until", "due"].contains(String(name)) {
                query[String(name)] = String(value)
            }
            let page = try await inOrganization(request, context) { tx, access in
                let data = try await governance.data(org: access.organization.id, in: tx)
                let today = CalendarDate.text(governance.now())
                let entries = try DecisionFilter(query, directory: data.directory).apply(to: data, today: today)
                let all = DecisionFilter().apply(to: data, today: today)
                let deciders = Set(all.compactMap(\.decidedByID)).map { ($0.lowercasedText, data.directory.name($0)) }.sorted { $0.1 < $1.1 }
                return DecisionLogPage(
                    rows: entries.map { DecisionRow($0, slug: slug, today: today) },
                    types: Set(all.map(\.type)).sorted().map { Choice(value: $0, label: $0, selected: query["type"] == $0) },
                    statuses: DecisionStatus.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: query["status"] == $0.rawValue) },
                    deciders: deciders.map { Choice(value: $0.0, label: $0.1, selected: query["decider"] == $0.0) },
                    since: query["since"] ?? "", until: query["until"] ?? "", due: query["due"] == "true", filtered: !query.isEmpty
                )
            }
            return try await webPage("decisions", title: "Decision log", org: slug, section: .decisions, request, context, page)
        }
        app.get("orgs/:org/decisions/:decision") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let page = try await inOrganization(request, context) { tx, access in
                let org = access.organization.id
                let data = try await governance.data(org: org, in: tx)
                guard let id = UUID(uuidString: try context.parameters.require("decision")), let fields = data.decisions[id] else {
                    throw APIError.notFound("That decision")
                }
                let entry = DecisionEntry(id: id, fields: fields, directory: data.directory)
                let today = CalendarDate.text(governance.now())
                let chain = Self.chain(of: entry, in: data)
                let links = try await entry.links.asyncMap { try await self.linkView($0, slug: slug, data: data, org: org, tx: tx) }
                return DecisionPage(
                    entry: DecisionRow(entry, slug: slug, today: today), scope: entry.scope, rationale: entry.rationale, cadence: entry.cadence,
                    links: links, chain: chain.map { DecisionRow($0, slug: slug, today: today) }, hasChain: chain.count > 1, currentID: entry.id.lowercasedText
                )
            }
            return try await webPage("decision", title: page.entry.title, org: slug, section: .decisions, request, context, page)
        }
    }

    /// The supersession chain through `entry`, oldest first.
    static func chain(of entry: DecisionEntry, in data: GovernanceData) -> [DecisionEntry] {
        func read(_ id: UUID?) -> DecisionEntry? { id.flatMap { id in data.decisions[id].map { DecisionEntry(id: id, fields: $0, directory: data.directory) } } }
        var chain = [entry]
        var seen: Set<UUID> = [entry.id]
        while let earlier = read(chain[0].supersedes), seen.insert(earlier.id).inserted { chain.insert(earlier, at: 0) }
        while let later = read(chain[chain.count - 1].supersededBy), seen.insert(later.id).inserted { chain.append(later) }
        return chain
    }

    /// A decision's link (`collection/id`) as a readable name, and the page that shows the record when there is one.
    func linkView(_ link: String, slug: String, data: GovernanceData, org: UUID, tx: Transaction) async throws -> LinkView {
        let parts = link.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = UUID(uuidString: parts[1]) else { return LinkView(label: link) }
        let base = "/app/orgs/\(slug)"
        switch parts[0] {
        case CollectionSchema.definitions.name:
            let term = data.definitions[id]?.text("term")
            return LinkView(label: "Definition: \(term ?? link)", href: term.map { "\(base)/definitions/\(Self.pathPart($0))" })
        case CollectionSchema.definitionVersions.name:
            let version = data.versions[id].map { VersionView(id: id, fields: $0, data: data) }
            return LinkView(label: version.map { "Definition version: \($0.term) \($0.label)" } ?? link, href: "\(base)/proposals/\(id.lowercasedText)")
        case CollectionSchema.decisions.name:
            return LinkView(label: "Decision: \(data.decisions[id]?.text("title") ?? link)", href: "\(base)/decisions/\(id.lowercasedText)")
        case CollectionSchema.reviews.name:
            return LinkView(label: "Review", href: "\(base)/reviews/\(id.lowercasedText)")
        case CollectionSchema.kpis.name:
            let key = try await governance.live(parts[0], org: org, in: tx)[id]?.text("key")
            return LinkView(label: "KPI: \(key ?? link)", href: key.map { "\(base)/kpis/\($0)" })
        default:
            // Links are free text in the end; one naming no collection stays as written.
            guard (try? catalog.schema(parts[0])) != nil else { return LinkView(label: link) }
            let fields = try await governance.live(parts[0], org: org, in: tx)[id]
            let name = fields?.text("name") ?? fields?.text("title") ?? fields?.text("statement")
            return LinkView(label: "\(parts[0].replacingOccurrences(of: "_", with: " ").capitalized.dropLast(parts[0].hasSuffix("s") ? 1 : 0)): \(name ?? link)")
        }
    }

    /// A name as one part of a URL path.
    static func pathPart(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? name
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
