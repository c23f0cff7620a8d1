public import AccordCore
public import Foundation

/// The KPI spine on the replica: the same views the server computes, from the local records.
extension Replica {
    public func kpiSpine(asOf: Date = Date()) async throws -> KPISpine {
        try await KPISpine(asOf: asOf) { name in try records(name).reduce(into: [:]) { $0[$1.id] = $1.fields } }
    }

    /// The KPI a person names by key.
    public func kpi(_ key: String, in spine: KPISpine) throws -> KPI {
        guard let kpi = spine.kpi(key) else {
            let keys = spine.kpis.values.map(\.key).sorted()
            throw ClientError.notFound("there is no KPI '\(key)'; \(keys.isEmpty ? "there are none in this replica yet" : "the keys are \(keys.joined(separator: ", "))")")
        }
        return kpi
    }

    /// A dashboard, named by name or id, computed for `period` (or its own selection) as of `asOf`.
    public func dashboardView(_ name: String, period: String? = nil, asOf: Date = Date()) async throws -> DashboardView {
        let dashboards = try records(CollectionSchema.dashboards.name)
        guard let dashboard = dashboards.first(where: { $0.id.lowercasedText == name.lowercased() })
            ?? dashboards.first(where: { $0.fields.text("name")?.caseInsensitiveCompare(name) == .orderedSame }) else {
            let names = dashboards.compactMap { $0.fields.text("name") }.sorted()
            throw ClientError.notFound("there is no dashboard '\(name)'; \(names.isEmpty ? "there are none in this replica yet" : "the dashboards are \(names.joined(separator: ", "))")")
        }
        let spine = try await KPISpine(asOf: asOf, dashboard: dashboard.fields, period: period) { name in
            try records(name).reduce(into: [:]) { $0[$1.id] = $1.fields }
        } measurements: { kpis, periods in
            let references = kpis.map { "\(CollectionSchema.kpis.name)/\($0.lowercasedText)" }
            return try records(CollectionSchema.measurements.name, where: ["kpi": references, "period": Array(periods)]).reduce(into: [:]) { $0[$1.id] = $1.fields }
        }
        do {
            return try DashboardView.compute(dashboard.fields, spine: spine, period: period)
        } catch {
            throw ClientError.invalidInput(error.reason)
        }
    }

    /// Sets (or changes) the target of a KPI for a period.
    public func setTarget(_ kpi: KPI, period: String, value: Double, band: VarianceBand?, rationale: String?) async throws -> LocalWrite {
        var fields: RecordFields = ["value": .double(value)]
        switch band {
        case .absolute(let width)?: fields["variance_kind"] = .text("absolute"); fields["variance"] = .double(width)
        case .percent(let width)?: fields["variance_kind"] = .text("percent"); fields["variance"] = .double(width)
        case nil: break
        }
        if let rationale { fields["rationale"] = .text(rationale) }
        let existing = try records(CollectionSchema.targets.name).first {
            $0.fields.reference("kpi", into: CollectionSchema.kpis.name) == kpi.id && $0.fields.text("period") == period && $0.fields.text("segment") == nil
        }
        if let existing { return try await update(CollectionSchema.targets.name, existing.id, fields) }
        fields["kpi"] = .reference(CollectionSchema.kpis.name, kpi.id)
        fields["period"] = .text(period)
        return try await create(CollectionSchema.targets.name, fields)
    }

    /// Records an actual; when the KPI already has one for the period and segment, this one corrects it.
    public func recordActual(_ kpi: KPI, period: String, value: Double, segment: String?, source: String?) async throws -> LocalWrite {
        var fields: RecordFields = ["kpi": .reference(CollectionSchema.kpis.name, kpi.id), "period": .text(period), "value": .double(value)]
        if let segment { fields["segment"] = .text(segment) }
        if let source { fields["source"] = .text(source) }
        let spine = try await kpiSpine(asOf: .distantFuture)
        if let current = spine.actuals.value(kpi.id, period, segment: segment.flatMap(CanonicalJSON.canonical)) {
            fields["supersedes"] = .reference(CollectionSchema.measurements.name, current.id)
        }
        return try await create(CollectionSchema.measurements.name, fields)
    }
}
