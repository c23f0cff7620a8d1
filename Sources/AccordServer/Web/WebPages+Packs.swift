import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    /// A pack an organization took, in a line, for the portfolio and the org's home.
    struct PackLine {
        var pack: String
        var summary: String
        /// A short badge when something waits: a conflict, or the pack's changes not yet taken.
        var badge: StatusBadge?
        var href: String

        init(_ standing: PackStanding, slug: String) {
            pack = standing.pack
            summary = standing.summary + (standing.latest == nil ? " · the latest is unknown: you are not a member of \(standing.sourceOrg)" : "")
            badge = standing.conflicts > 0 ? StatusBadge(label: "✖ conflict to decide", statusClass: "off-track")
                : standing.packChanged > 0 || standing.newInPack > 0 ? StatusBadge(label: "! upgrade waiting", statusClass: "at-risk") : nil
            href = "/app/orgs/\(slug)/packs"
        }
    }

    struct DriftChange {
        var side: String
        var field: String
        /// Nil for a record new in the pack, which had nothing before.
        var was: String?
        var now: String
    }

    struct DriftConflict {
        var field: String
        var was: String
        var here: String
        var pack: String
    }

    struct DriftRow {
        var name: String
        var kind: String
        var state: String
        var stateClass: String
        var changes: [DriftChange]
        var conflicts: [DriftConflict]
    }

    struct PackSection {
        var anchor: String
        var pack: String
        var sourceOrg: String
        var line: PackLine
        var known: Bool
        var latest: Int
        var rows: [DriftRow]
        var upgrade: String
    }

    struct PacksPage {
        var packs: [PackSection]
    }

    func addPackPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/packs") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let reports = try await packReports(in: slug, as: try context.requireIdentity(), logger: context.logger)
            let page = PacksPage(packs: reports.map { Self.packSection($0, slug: slug) })
            return try await webPage("packs", title: "Packs", org: slug, request, context, page)
        }
    }

    static func packSection(_ report: PackReport, slug: String) -> PackSection {
        let standing = report.standing
        let rows = (report.drift?.records ?? []).map { record in
            let conflicted = Set(record.conflicts.map(\.field))
            let changes = record.clientChanged.filter { !conflicted.contains($0.field) }.map {
                DriftChange(side: "here", field: $0.field, was: SetupValue.shown($0.base), now: SetupValue.shown($0.client))
            } + record.packChanged.filter { !conflicted.contains($0.field) }.map {
                DriftChange(
                    side: record.state == .newInPack ? "new" : "pack", field: $0.field, was: record.state == .newInPack ? nil : SetupValue.shown($0.base),
                    now: SetupValue.shown($0.pack)
                )
            }
            let (label, tone) = stateLabel(record)
            return DriftRow(
                name: record.name, kind: record.kind.replacingOccurrences(of: "_", with: " "), state: label, stateClass: tone, changes: changes,
                conflicts: record.conflicts.map {
                    DriftConflict(field: $0.field, was: SetupValue.shown($0.base), here: SetupValue.shown($0.client), pack: SetupValue.shown($0.pack))
                }
            )
        }
        let anchor = "pack-" + String(standing.pack.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        return PackSection(
            anchor: anchor, pack: standing.pack, sourceOrg: standing.sourceOrg, line: PackLine(standing, slug: slug), known: report.drift != nil,
            latest: standing.latest ?? 0, rows: rows, upgrade: "accord packs upgrade \"\(standing.pack)\" --org \(slug) --dry-run"
        )
    }

    /// A record's state in words with a sign, so it reads without colour, and the tone it is drawn in.
    static func stateLabel(_ record: PackDrift.Record) -> (String, String) {
        if !record.conflicts.isEmpty { return ("⚠ conflict", "off-track") }
        return switch record.state {
        case .matches: ("✔ matches", "on-track")
        case .clientChanged: ("✎ changed here", "no-data")
        case .packChanged: ("↑ changed in the pack", "at-risk")
        case .both: ("✎↑ changed both sides", "at-risk")
        case .newInPack: ("+ new in the pack", "at-risk")
        case .removedInClient: ("− removed here", "no-data")
        case .removedFromPack: ("− no longer in the pack", "no-data")
        }
    }
}
