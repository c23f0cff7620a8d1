import Foundation
import Hummingbird
import PostgresNIO

extension AccordAPI {
    struct Readiness: ResponseEncodable {
        var status: String
        var migrations: Int
    }

    func addHealthRoutes(to router: Router<Context>) {
        router.get("health") { _, _ in ["status": "ok"] }
        router.get("ready") { _, context -> Readiness in
            do {
                let applied = try await database.transaction(logger: context.logger) { tx in
                    try await tx.first("SELECT count(*)::int FROM schema_migrations", as: Int.self) ?? 0
                }
                guard applied >= knownMigrations else {
                    throw APIError(.serviceUnavailable, code: "not_ready", message: "\(knownMigrations - applied) migrations are not applied yet.")
                }
                return Readiness(status: "ready", migrations: applied)
            } catch let error as APIError {
                throw error
            } catch {
                context.logger.warning("readiness check failed: \(String(reflecting: error))")
                throw APIError(.serviceUnavailable, code: "not_ready", message: "The database is not reachable.")
            }
        }
        router.get("openapi.yaml") { _, _ -> Response in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = FileManager.default.contents(atPath: url.path) else {
                throw APIError.notFound("The API description")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
