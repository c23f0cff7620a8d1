import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    /// The strategy's computed views.
    func addStrategyRoutes(to v1: RouterGroup<Context>) {
        v1.get("orgs/:org/strategy") { request, context -> StrategyBoard in
            let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            return try await inOrganization(request, context) { tx, access in
                var asOf: Date?
                for (name, value) in pairs {
                    guard name == "as_of" else { throw APIError.invalid(FieldError(field: name, message: "is not a parameter here; use as_of")) }
                    asOf = try Self.endOfDay(name, value)
                }
                let org = access.organization.id
                let load: (String) async throws -> [UUID: RecordFields] = { name in try await governance.live(name, org: org, in: tx) }
                let spine = try await KPISpine(asOf: asOf ?? governance.now(), load: load)
                return try await StrategyBoard.compute(spine: spine, load: load)
            }
        }
    }
}
