public import Hummingbird

/// Applies the configured body limit to every request before a handler reads the body.
public struct RequestLimitsMiddleware: RouterMiddleware {
    public typealias Context = AccordRequestContext
    let maxBodySize: Int
    /// Imports stream their body row by row instead of holding it, so they may be far larger.
    var maxImportSize: Int

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxBodySize
        let limit = request.uri.path.hasSuffix("/measurements/import") ? maxImportSize : maxBodySize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw HTTPError(.contentTooLarge)
        }
        return try await next(request, context)
    }
}
