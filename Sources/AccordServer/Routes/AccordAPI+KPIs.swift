import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    /// The KPI spine's computed views.
    func addKPIRoutes(to v1: RouterGroup<Context>) {
        v1.get("orgs/:org/dashboards/:dashboard/view") { request, context -> DashboardView in
            let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            return try await inOrganization(request, context) { tx, access in
                var period: String?, asOf: Date?
                for (name, value) in pairs {
                    switch name {
                    case "period": period = value
                    case "as_of": asOf = try Self.endOfDay(name, value)
                    default: throw APIError.invalid(FieldError(field: name, message: "is not a parameter here; use period or as_of"))
                    }
                }
                let org = access.organization.id
                let dashboards = try await governance.live(CollectionSchema.dashboards.name, org: org, in: tx)
                let reference = try Self.named("dashboard", context)
                guard let dashboard = dashboards.first(where: { $0.key.lowercasedText == reference.lowercased() })
                    ?? dashboards.first(where: { $0.value.text("name")?.caseInsensitiveCompare(reference) == .orderedSame }) else {
                    throw APIError.notFound("dashboard '\(reference)'")
                }
                let spine = try await KPISpine(asOf: asOf ?? governance.now()) { name in try await governance.live(name, org: org, in: tx) }
                do {
                    return try DashboardView.compute(dashboard.value, spine: spine, period: period)
                } catch let error as DashboardError {
                    throw APIError.invalid(FieldError(field: "period", message: error.reason))
                }
            }
        }
    }
}
