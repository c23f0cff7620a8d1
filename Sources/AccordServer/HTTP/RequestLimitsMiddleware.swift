public import Hummingbird

/// Applies the configured body limit to every request before a handler reads the body.
public struct RequestLimitsMiddleware: RouterMiddleware {
    public typealias Context = AccordRequestContext
    let maxBodySize: Int

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxBodySize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodySize {
            throw HTTPError(.contentTooLarge)
        }
        return try await next(request, context)
    }
}
