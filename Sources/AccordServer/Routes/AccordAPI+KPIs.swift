import AccordCore
import Foundation
import Hummingbird
import PostgresNIO

extension AccordAPI {
    /// The KPI spine's computed views.
    func addKPIRoutes(to v1: RouterGroup<Context>) {
        v1.post("orgs/:org/measurements/import") { request, context -> EditedResponse<ImportReport> in
            try await importMeasurements(request, context)
        }
        v1.get("orgs/:org/dashboards/:dashboard/view") { request, context -> DashboardView in
            let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let reference = try Self.named("dashboard", context)
            return try await inOrganization(request, context) { tx, access in
                var period: String?, asOf: Date?
                for (name, value) in pairs {
                    switch name {
                    case "period": period = value
                    case "as_of": asOf = try Self.endOfDay(name, value)
                    default: throw APIError.invalid(FieldError(field: name, message: "is not a parameter here; use period or as_of"))
                    }
                }
                return try await dashboardView(reference, period: period, asOf: asOf, access, tx)
            }
        }
    }

    /// The dashboard `reference` names (its id or its name) computed for `period` (else its own) as of `asOf` (else now).
    func dashboardView(_ reference: String, period: String?, asOf: Date?, _ access: OrganizationAccess, _ tx: Transaction) async throws -> DashboardView {
        let org = access.organization.id
        let dashboards = try await governance.live(CollectionSchema.dashboards.name, org: org, in: tx)
        guard let dashboard = dashboards.first(where: { $0.key.lowercasedText == reference.lowercased() })
            ?? dashboards.first(where: { $0.value.text("name")?.caseInsensitiveCompare(reference) == .orderedSame }) else {
            throw APIError.notFound("dashboard '\(reference)'")
        }
        let spine = try await KPISpine(asOf: asOf ?? governance.now(), dashboard: dashboard.value, period: period) { name in
            try await governance.live(name, org: org, in: tx)
        } measurements: { kpis, periods in
            let references = kpis.map { "\(CollectionSchema.kpis.name)/\($0.lowercasedText)" }
            return try await governance.live(CollectionSchema.measurements.name, org: org, where: ["kpi": references, "period": Array(periods)], in: tx)
        }
        do {
            return try DashboardView.compute(dashboard.value, spine: spine, period: period)
        } catch {
            throw APIError.invalid(FieldError(field: "period", message: error.reason))
        }
    }

    /// Streams the body into the importer: 200 with what it did, or 422 with the bad rows when they stopped it.
    private func importMeasurements(_ request: Request, _ context: Context) async throws -> EditedResponse<ImportReport> {
        let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let contentType = request.headers[.contentType]
        do {
            let (report, org, head): (ImportReport, UUID, Int64) = try await inOrganization(request, context) { tx, access in
                let (format, partial) = try Self.importOptions(pairs, contentType: contentType)
                guard access.role.canEdit else {
                    throw APIError.forbidden("Your role is \(access.role.rawValue), which cannot record measurements; ask an owner or admin for the editor role.")
                }
                let report = try await importer.run(request.body, format: format, partial: partial, access: access, in: tx)
                let org = access.organization.id
                let head = try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org)", as: Int64.self) ?? Int64(0)
                return (report, org, head)
            }
            heads.advance(org, to: head)
            return EditedResponse(status: .ok, response: report)
        } catch let refused as MeasurementImporter.Refused {
            return EditedResponse(status: .unprocessableContent, response: refused.report)
        }
    }

    /// The import's format (from `format`, else the body's content type) and whether a partial import is wanted.
    static func importOptions(_ pairs: [(String, String)], contentType: String?) throws -> (ImportFormat, Bool) {
        var format: ImportFormat?
        var partial = false
        switch contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "text/csv": format = .csv
        case "application/x-ndjson", "application/ndjson", "application/jsonl": format = .ndjson
        default: break
        }
        for (name, value) in pairs {
            switch name {
            case "format":
                guard let chosen = ImportFormat(rawValue: value) else { throw APIError.invalid(FieldError(field: name, message: "must be csv or ndjson")) }
                format = chosen
            case "partial":
                guard ["true", "false"].contains(value) else { throw APIError.invalid(FieldError(field: name, message: "must be true or false")) }
                partial = value == "true"
            default:
                throw APIError.invalid(FieldError(field: name, message: "is not a parameter here; use format or partial"))
            }
        }
        guard let format else {
            throw APIError.invalid(FieldError(field: "format", message: "is needed: send text/csv or application/x-ndjson, or add ?format=csv or ?format=ndjson"))
        }
        return (format, partial)
    }
}
