import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct DashboardLink {
        var name: String
        var audience: String
        var tiles: Int
        var href: String
    }

    struct TileRow {
        var key: String
        var name: String
        var unit: String
        var reading: WebReading
        var href: String
    }

    struct NoteView {
        var number: Int
        var period: String
        var text: String
    }

    struct TileView {
        var title: String
        var kind: String
        var wide: Bool
        var first: TileRow?
        var rows: [TileRow]
        var chart: String?
        var notes: [NoteView]
        var segments: [TileRow]
        /// One flag per kind, which the template's sections test.
        var isNumber = false, isTrend = false, isPacing = false, isSegments = false, isTable = false
    }

    struct DashboardPage {
        var name: String
        var audience: String?
        var period: String
        var asOf: String
        var asOfChosen: Bool
        var periods: [Choice]
        var tiles: [TileView]
    }

    func addDashboardPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/dashboards") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let links = try await inOrganization(request, context) { tx, access in
                try await governance.live(CollectionSchema.dashboards.name, org: access.organization.id, in: tx).map { id, fields in
                    DashboardLink(
                        name: fields.text("name") ?? "", audience: fields.text("audience") ?? "everyone",
                        tiles: ((try? DashboardView.tiles(fields)) ?? []).count, href: "/app/orgs/\(slug)/dashboards/\(id.lowercasedText)"
                    )
                }.sorted { $0.name.lowercased() < $1.name.lowercased() }
            }
            return try await webPage("dashboards", title: "Dashboards", org: slug, section: .dashboards, request, context, links)
        }
        app.get("orgs/:org/dashboards/:dashboard") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let reference = try Self.named("dashboard", context)
            let query = request.uri.queryParameters
            let period = query["period"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let asOfText = query["as_of"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let asOf = try asOfText.map { try Self.endOfDay("as_of", $0) }
            let page = try await inOrganization(request, context) { tx, access in
                let view = try await dashboardView(reference, period: period, asOf: asOf, access, tx)
                let settings = OrganizationSettings(records: try await governance.live(CollectionSchema.organizationSettings.name, org: access.organization.id, in: tx))
                return Self.dashboardPage(view, slug: slug, settings: settings, asOf: asOfText)
            }
            return try await webPage("dashboard", title: page.name, org: slug, section: .dashboards, request, context, page)
        }
    }

    static func dashboardPage(_ view: DashboardView, slug: String, settings: OrganizationSettings, asOf: String?) -> DashboardPage {
        let shown = settings.period(view.period)
        // The shown period among the eight before it and the next one, newest first.
        let periods = shown.map { shown in (-1...8).map { shown.shifted(by: $0, fiscalStartMonth: settings.fiscalYearStartMonth).description } } ?? [view.period]
        return DashboardPage(
            name: view.name, audience: view.audience, period: view.period, asOf: asOf ?? CalendarDate.text(view.asOf), asOfChosen: asOf != nil,
            periods: periods.map { Choice(value: $0, label: $0, selected: $0 == view.period) },
            tiles: view.tiles.map { tileView($0, slug: slug, settings: settings) }
        )
    }

    static func tileView(_ tile: DashboardView.Tile, slug: String, settings: OrganizationSettings) -> TileView {
        let rows = tile.rows.map { row in
            TileRow(key: row.key, name: row.name, unit: row.unit, reading: WebReading(row.reading, unit: row.unit), href: "/app/orgs/\(slug)/kpis/\(row.key)")
        }
        let unit = tile.rows.first?.unit ?? ""
        var chart: String?
        var notes: [NoteView] = []
        var segments: [TileRow] = []
        switch tile.kind {
        case .trend:
            let points = (tile.trend ?? []).map { TrendChart.Point(period: $0.period, reading: $0.reading) }
            notes = (tile.annotations ?? []).enumerated().map { NoteView(number: $0.offset + 1, period: $0.element.period ?? "", text: $0.element.text) }
            // A note marks the period that holds the one it was written for.
            let shown = points.map { settings.period($0.period) }
            let marks = notes.compactMap { note in
                settings.period(note.period).flatMap { noted in shown.firstIndex { $0?.contains(noted) ?? false } }.map { (index: $0, number: note.number) }
            }
            chart = TrendChart(title: tile.title, unit: unit, points: points, notes: marks).svg()
        case .pacing:
            chart = tile.rows.first.map { BarCharts.pacing($0.reading, unit: unit, title: tile.title) }
        case .segments:
            let readings = (tile.segments ?? []).map { (label: segmentLabel($0.segment), reading: $0.reading) }
            chart = BarCharts.segments(readings, unit: unit, title: tile.title)
            segments = readings.map { TileRow(key: "", name: $0.label, unit: unit, reading: WebReading($0.reading, unit: unit), href: "") }
        case .number, .table:
            break
        }
        return TileView(
            title: tile.title, kind: tile.kind.rawValue, wide: tile.kind == .trend || tile.kind == .table || tile.kind == .segments,
            first: rows.first, rows: rows, chart: chart, notes: notes, segments: segments, isNumber: tile.kind == .number, isTrend: tile.kind == .trend,
            isPacing: tile.kind == .pacing, isSegments: tile.kind == .segments, isTable: tile.kind == .table
        )
    }

    /// `{"region":"EMEA"}` as "EMEA"; several dimensions as "region EMEA, tier 1".
    static func segmentLabel(_ segment: String) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(segment.utf8))) as? [String: Any] else { return segment }
        if object.count == 1, let value = object.first?.value { return "\(value)" }
        return object.keys.sorted().map { "\($0) \(object[$0].map { "\($0)" } ?? "")" }.joined(separator: ", ")
    }
}
