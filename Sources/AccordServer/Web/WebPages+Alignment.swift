import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct StatusBadge {
        var label: String
        var statusClass: String

        init(_ status: KPIStatus) {
            label = KPIFormat.statusLabel(status)
            statusClass = status.rawValue.replacingOccurrences(of: "_", with: "-")
        }

        init(label: String, statusClass: String) {
            self.label = label
            self.statusClass = statusClass
        }
    }

    struct KPINode {
        var name: String
        var period: String
        var badge: StatusBadge
        var href: String
    }

    struct PlayNodeView {
        var name: String
        var status: String
        var pastStop: String?
        var kpi: KPINode?
    }

    struct ConstraintNodeView {
        var statement: String
        var badge: StatusBadge
        var plays: [PlayNodeView]
    }

    struct PriorityNodeView {
        var name: String
        var status: String
        var kpis: [KPINode]
        var constraints: [ConstraintNodeView]
        var plays: [PlayNodeView]
    }

    struct StageView {
        var title: String
        var stage: Int
        var meter: String
        var reasons: [String]
        var toRaise: String?
    }

    struct OrphanGroup {
        var title: String
        var names: [String]
    }

    struct AlignmentPage {
        var asOf: String
        var stages: [StageView]
        var tree: [PriorityNodeView]
        var orphans: [OrphanGroup]
        var orphanCount: Int
    }

    func addAlignmentPage(to app: RouterGroup<Context>) {
        app.get("orgs/:org/alignment") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let asOfText = request.uri.queryParameters["as_of"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let asOf = try asOfText.map { try Self.endOfDay("as_of", $0) }
            let report = try await inOrganization(request, context) { tx, access in try await alignmentReport(asOf: asOf, access, tx) }
            return try await webPage("alignment", title: "Alignment", org: slug, section: .alignment, request, context, Self.alignmentPage(report, slug: slug, asOf: asOfText))
        }
    }

    static func alignmentPage(_ report: AlignmentReport, slug: String, asOf: String?) -> AlignmentPage {
        func kpi(_ line: AlignmentReport.KPILine) -> KPINode {
            KPINode(name: line.name, period: line.period, badge: StatusBadge(line.status), href: "/app/orgs/\(slug)/kpis/\(line.key)")
        }
        func play(_ node: AlignmentReport.PlayNode) -> PlayNodeView {
            PlayNodeView(name: node.name, status: node.status.rawValue.replacingOccurrences(of: "_", with: " "), pastStop: node.pastStop, kpi: node.kpi.map(kpi))
        }
        let tree = report.lineOfSight.map { priority in
            PriorityNodeView(
                name: priority.name, status: priority.status, kpis: priority.kpis.map(kpi),
                constraints: priority.constraints.map { constraint in
                    let reading = constraint.reading
                    let value = reading.value.map { " at \(KPIFormat.number($0, unit: constraint.unit ?? "count"))" } ?? ""
                    let badge: StatusBadge = switch reading.state {
                    case .holds: StatusBadge(label: "✖ holds\(value)", statusClass: "off-track")
                    case .cleared: StatusBadge(label: "✔ cleared\(value)", statusClass: "on-track")
                    case .noData: StatusBadge(label: "– no data", statusClass: "no-data")
                    }
                    return ConstraintNodeView(statement: constraint.statement, badge: badge, plays: constraint.plays.map(play))
                },
                plays: priority.plays.map(play)
            )
        }
        let orphans = report.orphans
        let groups = [
            OrphanGroup(title: "Plays tied to no constraint or priority", names: orphans.plays),
            OrphanGroup(title: "KPIs without an owner", names: orphans.kpisWithoutOwner),
            OrphanGroup(title: "KPIs without a target this period", names: orphans.kpisWithoutTarget),
            OrphanGroup(title: "KPIs without a definition", names: orphans.kpisWithoutDefinition),
            OrphanGroup(title: "Definitions not approved", names: orphans.definitionsNotApproved),
            OrphanGroup(title: "Dashboard tiles without a target", names: orphans.dashboardKPIsWithoutTarget),
            OrphanGroup(title: "SLAs measured by no KPI", names: orphans.slasWithoutKPI),
        ].filter { !$0.names.isEmpty }
        return AlignmentPage(
            asOf: asOf ?? CalendarDate.text(report.asOf),
            stages: report.stages.map {
                StageView(title: $0.dimension.title.capitalized, stage: $0.stage, meter: String(repeating: "●", count: $0.stage) + String(repeating: "○", count: 3 - $0.stage), reasons: $0.reasons, toRaise: $0.toRaise)
            },
            tree: tree, orphans: groups, orphanCount: orphans.count
        )
    }
}
