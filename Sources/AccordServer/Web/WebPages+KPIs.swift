import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    struct KPIListPage {
        var rows: [KPIRow]
    }

    struct Fact {
        var label: String
        var value: String
    }

    struct TargetRow {
        var period: String
        var segment: String
        var value: String
        var band: String
        var decision: String?
    }

    struct ActualRow {
        var period: String
        var segment: String
        var value: String
        var source: String
        var recorded: String
        var correction: Bool
        var superseded: Bool
    }

    struct KPIPage {
        var key: String
        var name: String
        var owner: String
        var facts: [Fact]
        var definition: LinkView?
        var description: String?
        var reading: WebReading
        var period: String
        var chart: String
        var targets: [TargetRow]
        var actuals: [ActualRow]
        var corrections: Int
    }

    func addKPIPages(to app: RouterGroup<Context>) {
        app.get("orgs/:org/kpis") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let page = try await inOrganization(request, context) { tx, access in
                let spine = try await KPISpine(asOf: governance.now(), load: loader(access.organization.id, tx))
                return KPIListPage(rows: spine.kpis.values.sorted { $0.key < $1.key }.map { kpi in
                    let period = spine.currentPeriod(kpi.grain)
                    let unit = kpi.unitLabel ?? kpi.unit
                    return KPIRow(key: kpi.key, name: kpi.name, owner: kpi.owner, period: period.description, reading: WebReading(spine.reading(kpi, period), unit: unit), href: "/app/orgs/\(slug)/kpis/\(kpi.key)")
                })
            }
            return try await webPage("kpis", title: "KPIs", org: slug, section: .kpis, request, context, page)
        }
        app.get("orgs/:org/kpis/:kpi") { request, context -> Response in
            let slug = try Self.orgSlug(context)
            let key = try Self.named("kpi", context)
            let page = try await inOrganization(request, context) { tx, access in
                let load = loader(access.organization.id, tx)
                let spine = try await KPISpine(asOf: governance.now(), load: load)
                guard let kpi = spine.kpi(key) else { throw APIError.notFound("The KPI '\(key)'") }
                let fields = try await load(CollectionSchema.kpis.name)[kpi.id] ?? [:]
                var definition: String?
                if let id = kpi.definition { definition = try await load(CollectionSchema.definitions.name)[id]?.text("term") }
                return Self.kpiPage(kpi, fields: fields, spine: spine, slug: slug, definition: definition)
            }
            return try await webPage("kpi", title: page.name, org: slug, section: .kpis, request, context, page)
        }
    }

    static func kpiPage(_ kpi: KPI, fields: RecordFields, spine: KPISpine, slug: String, definition: String?) -> KPIPage {
        let unit = kpi.unitLabel ?? kpi.unit
        let current = spine.currentPeriod(kpi.grain)
        let trend = Trend.series(ending: current, count: 12, fiscalStartMonth: spine.settings.fiscalYearStartMonth) { _ in nil }
            .map { TrendChart.Point(period: $0.period.description, reading: spine.reading(kpi, $0.period)) }
        let source = [fields.text("source_system"), fields.text("source_object")].compactMap { $0 }.joined(separator: " · ")
        let facts = [
            Fact(label: "Owner", value: kpi.owner), Fact(label: "Source", value: source.isEmpty ? "—" : source),
            Fact(label: "Aggregation", value: kpi.aggregation + (kpi.cumulative ? ", cumulative" : "")),
            Fact(label: "Kind", value: [fields.text("kind"), kpi.tier].compactMap { $0 }.joined(separator: ", ")),
            Fact(label: "Good when", value: kpi.direction.rawValue.replacingOccurrences(of: "_", with: " ")),
            Fact(label: "Measured by", value: kpi.grain.rawValue), Fact(label: "Unit", value: unit),
        ]
        let targets = spine.targets.values.filter { $0.reference("kpi", into: CollectionSchema.kpis.name) == kpi.id }
            .map { target -> TargetRow in
                let band = RecordedMeasurement.number(target["variance"]).map { width in
                    target.text("variance_kind") == "percent" ? "±\(KPIFormat.number(width, unit: "count"))%" : "±\(KPIFormat.number(width, unit: kpi.unit))"
                } ?? "—"
                return TargetRow(
                    period: target.text("period") ?? "", segment: target.text("segment").map(segmentLabel) ?? "all",
                    value: KPIFormat.number(RecordedMeasurement.number(target["value"]), unit: unit), band: band,
                    decision: target.reference("decision", into: CollectionSchema.decisions.name).map { "/app/orgs/\(slug)/decisions/\($0.lowercasedText)" }
                )
            }.sorted { ($0.period, $0.segment) > ($1.period, $1.segment) }
        let measurements = spine.actuals.all.filter { $0.kpi == kpi.id }
        let superseded = Set(measurements.compactMap(\.supersedes))
        let actuals = measurements.reversed().prefix(60).map { measurement in
            ActualRow(
                period: measurement.period, segment: measurement.segment.map(segmentLabel) ?? "all", value: KPIFormat.number(measurement.value, unit: unit),
                source: measurement.source ?? "—", recorded: measurement.recordedAt.map(CalendarDate.text) ?? "—", correction: measurement.supersedes != nil,
                superseded: superseded.contains(measurement.id)
            )
        }
        return KPIPage(
            key: kpi.key, name: kpi.name, owner: kpi.owner, facts: facts,
            definition: definition.map { LinkView(label: $0, href: "/app/orgs/\(slug)/definitions/\(pathPart($0))") }, description: fields.text("description").map { WebMarkdown.html($0, org: slug) },
            reading: WebReading(spine.reading(kpi, current), unit: unit), period: current.description,
            chart: TrendChart(title: kpi.name, unit: unit, points: trend).svg(), targets: targets, actuals: Array(actuals),
            corrections: measurements.count { $0.supersedes != nil }
        )
    }
}
