import AccordCore
import Foundation
import HTTPTypes
public import Hummingbird
import PostgresNIO
import _ConnectionPoolModule

/// Turns every error into Accord's JSON error shape, and gives each response its request id.
///
/// Unexpected errors answer 500 with only the request id; the cause goes to the log under the same id,
/// so no stack trace or SQL reaches a client.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodySize: Int
    let routes: RouteTable

    /// `maxBodySize` is quoted in the 413 answer; `routes` tells a missing path from a method a path does not take.
    public init(maxBodySize: Int, routes: RouteTable = RouteTable()) {
        self.maxBodySize = maxBodySize
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = context.id
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try apiError(for: error, request: request, context: context).response(from: request, context: context)
        }
        response.headers[.requestID] = requestID
        return response
    }

    func apiError(for error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as FieldError:
            return .invalid(error)
        case let error as HTTPError:
            return translate(error, request: request)
        case let error as PSQLError where ["57014", "55P03"].contains(error.serverInfo?[.sqlState]):
            // The statement or lock timeout: the database is busy, and the request changed nothing.
            context.logger.warning("request ran out of database time: \(error.serverInfo?[.message] ?? "")", metadata: ["hb.request.id": "\(context.id)"])
            return APIError(
                .serviceUnavailable, code: "busy",
                message: "The server is busy and gave up waiting for the database; nothing was changed. Try again in a moment.",
                headers: [.retryAfter: "2"]
            )
        case _ where Self.databaseUnavailable(error):
            context.logger.warning("the database is unavailable: \(String(reflecting: error))", metadata: ["hb.request.id": "\(context.id)"])
            return APIError(
                .serviceUnavailable, code: "database_unavailable",
                message: "The server cannot reach its database right now, so the request may not have completed; trying it again is safe.",
                headers: [.retryAfter: "5"]
            )
        default:
            context.logger.error("unexpected error: \(String(reflecting: error))", metadata: ["hb.request.id": "\(context.id)"])
            return APIError(
                .internalServerError, code: "internal_error",
                message: "Something went wrong on the server. Quote request id \(context.id) when reporting it.",
                details: ["requestId": context.id]
            )
        }
    }

    /// No connection to PostgreSQL could be had (the pool gave up connecting), or one failed or was lost, or
    /// the database is shutting down or still recovering.
    static func databaseUnavailable(_ error: any Error) -> Bool {
        if error is ConnectionPoolError { return true }
        guard let error = error as? PSQLError else { return false }
        if [PSQLError.Code.serverClosedConnection, .clientClosedConnection, .connectionError, .poolClosed].contains(error.code) { return true }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    private func translate(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            let allowed = routes.methods(at: request.uri.path)
            guard allowed.isEmpty else {
                let list = allowed.map(\.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed, code: "method_not_allowed", message: "\(request.uri.path) takes \(list), not \(request.method).",
                    details: ["allow": list], headers: [.allow: list]
                )
            }
            return APIError(.notFound, code: "not_found", message: "There is no route \(request.method) \(request.uri.path).")
        case .contentTooLarge:
            return APIError(
                .contentTooLarge, code: "body_too_large",
                message: "The request body is larger than this server accepts (\(maxBodySize) bytes).",
                details: ["limit": "\(maxBodySize)"]
            )
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path).")
        default:
            return APIError(
                error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                message: error.body ?? error.status.reasonPhrase, headers: error.headers
            )
        }
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
