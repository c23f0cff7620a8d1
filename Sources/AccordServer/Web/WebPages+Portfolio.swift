import AccordCore
import Foundation
import Hummingbird
import PostgresNIO

/// A KPI's reading as the pages show it: formatted, with a status label that needs no colour.
struct WebReading {
    /// The actual as the API answers it, for checking a page against the API.
    var value: String
    var actual: String
    var target: String
    var expected: String
    var forecast: String
    var variance: String
    var status: String
    var statusClass: String
    var band: String?

    init(_ reading: KPIReading, unit: String) {
        value = reading.actual.map { "\($0)" } ?? ""
        actual = KPIFormat.number(reading.actual, unit: unit)
        target = KPIFormat.number(reading.target, unit: unit)
        expected = KPIFormat.number(reading.expected, unit: unit)
        forecast = KPIFormat.number(reading.forecast, unit: unit)
        variance = KPIFormat.variance(reading)
        status = KPIFormat.statusLabel(reading.status)
        statusClass = reading.status.rawValue.replacingOccurrences(of: "_", with: "-")
        if let lower = reading.lower, let upper = reading.upper, lower != upper {
            band = "\(KPIFormat.number(lower, unit: unit))–\(KPIFormat.number(upper, unit: unit))"
        }
    }
}

extension AccordAPI {
    struct KPIRow {
        var key: String
        var name: String
        var owner: String
        var period: String
        var reading: WebReading
        var href: String
    }

    struct WaitingRow {
        var kind: String
        var title: String
        var detail: String
        var href: String?
    }

    struct OrgCard {
        var name: String
        var slug: String
        var role: String
        var kpis: Int
        var onTrack: Int
        var judged: Int
        var offTrack: Int
        var atRisk: Int
        var openReviews: Int
        var proposals: Int
        var waiting: Int
        var attention: [KPIRow]
        /// How many more need attention than are listed; nil when none (Mustache takes 0 for true).
        var more: Int?
        var calm: Bool
        /// The template packs it took, each in a line.
        var packs: [PackLine]
    }

    struct HomePage {
        var name: String
        var standing: OrgCard
        var waiting: [WaitingRow]
        var reviews: [ReviewRow]
        var decisions: [DecisionRow]
        var hasPacks: Bool
    }

    func addPortfolioPages(to app: RouterGroup<Context>) {
        app.get { request, context -> Response in
            let cards = try await portfolio(of: try context.requireIdentity(), logger: context.logger).map {
                Self.card($0.name, slug: $0.slug, role: $0.role.rawValue, $0.standing, attention: 3, packs: $0.packs)
            }
            return try await webPage("portfolio", title: "Your organizations", request, context, cards)
        }
        app.get("switch") { request, _ -> Response in
            guard let org = request.uri.queryParameters["org"], !org.isEmpty, !org.contains("/") else { return Self.seeOther("/app") }
            return Self.seeOther("/app/orgs/\(Self.pathPart(String(org)))")
        }
        app.get("orgs/:org") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let (access, standing, decisions, taken) = try await inOrganization(request, context) { tx, access in
                let records = OrganizationRecords(access.organization.id, governance: governance, in: tx)
                let (standing, data) = try await self.standing(access, records)
                let decisions = DecisionFilter().apply(to: data, today: CalendarDate.text(governance.now())).prefix(5)
                return (access, standing, decisions.map { DecisionRow($0, slug: slug) }, try await self.takenPacks(records))
            }
            let packs = try await packReports(taken, as: try context.requireIdentity(), logger: context.logger).map(\.standing)
            let page = HomePage(
                name: access.organization.name,
                standing: Self.card(access.organization.name, slug: slug, role: access.role.rawValue, standing, attention: 12, packs: packs),
                waiting: standing.waiting.map { Self.waitingRow($0, slug: slug) },
                reviews: standing.openReviews.map { ReviewRow($0, slug: slug) },
                decisions: decisions, hasPacks: !packs.isEmpty
            )
            return try await webPage("home", title: page.name, org: slug, section: .home, request, context, page)
        }
    }

    static func card(_ name: String, slug: String, role: String, _ standing: OrgStanding, attention: Int, packs: [PackStanding]) -> OrgCard {
        OrgCard(
            name: name, slug: slug, role: role, kpis: standing.kpis, onTrack: standing.onTrack, judged: standing.judged, offTrack: standing.offTrack,
            atRisk: standing.attention.count - standing.offTrack, openReviews: standing.openReviews.count, proposals: standing.proposals.count,
            waiting: standing.waiting.count,
            attention: standing.attention.prefix(attention).map {
                KPIRow(key: $0.key, name: $0.name, owner: $0.owner, period: $0.period, reading: WebReading($0.reading, unit: $0.unit), href: "/app/orgs/\(slug)/kpis/\($0.key)")
            },
            more: standing.attention.count > attention ? standing.attention.count - attention : nil, calm: standing.attention.isEmpty && standing.waiting.isEmpty,
            packs: packs.map { PackLine($0, slug: slug) }
        )
    }

    /// An inbox item, linked to the page where it is acted on.
    static func waitingRow(_ item: InboxItem, slug: String) -> WaitingRow {
        let parts = item.record.split(separator: "/")
        var href: String?
        if parts.count == 2 {
            switch String(parts[0]) {
            case CollectionSchema.definitionVersions.name: href = "/app/orgs/\(slug)/proposals/\(parts[1])"
            case CollectionSchema.decisions.name: href = "/app/orgs/\(slug)/decisions/\(parts[1])"
            case CollectionSchema.reviews.name: href = "/app/orgs/\(slug)/reviews/\(parts[1])"
            default: break
            }
        }
        return WaitingRow(kind: item.kind.rawValue.replacingOccurrences(of: "_", with: " "), title: item.title, detail: item.detail, href: href)
    }
}
