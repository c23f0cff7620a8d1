import Foundation
import HTTPTypes
import Hummingbird

/// Answers every error of a web page as a page a person can act on: what happened, and where to go from
/// here. The causes of unexpected errors go to the log under the request id, as for the API.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AccordRequestContext
    let renderer: WebRenderer
    let routes: RouteTable

    struct ErrorPage {
        struct Chrome {
            var title: String
            var assets: String
        }

        var chrome: Chrome
        var status: Int
        var heading: String
        var message: String
        var signIn: Bool
        var requestID: String
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = ErrorMiddleware<Context>(maxBodySize: context.maxUploadSize, routes: routes).apiError(for: error, request: request, context: context)
            let heading: String = switch failure.status {
            case .notFound: "Not found"
            case .unauthorized: "Signed out"
            case .forbidden: "Not allowed"
            case .unprocessableContent, .badRequest: "That could not be done"
            case .conflict: "Changed meanwhile"
            case .tooManyRequests: "Too many attempts"
            case .serviceUnavailable: "Busy for a moment"
            default: "Something went wrong"
            }
            let page = ErrorPage(
                chrome: .init(title: heading, assets: renderer.assetVersion), status: failure.status.code, heading: heading,
                message: failure.message, signIn: failure.status == .unauthorized, requestID: context.id
            )
            var response = renderer.page("error", page, status: failure.status)
            for field in failure.headers where field.name != .wwwAuthenticate { response.headers.append(field) }
            return response
        }
    }
}
