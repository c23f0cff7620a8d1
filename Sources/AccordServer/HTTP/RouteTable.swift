import HTTPTypes
import Synchronization

/// The paths the router serves and the methods each takes, so that a known path asked with another method
/// answers 405 with `Allow`, not 404: the path exists, the method does not.
public final class RouteTable: Sendable {
    private struct Route {
        var segments: [Substring]
        var method: HTTPRequest.Method
    }

    private let routes = Mutex<[Route]>([])

    public init() {}

    /// Learns the routes, as the router lists them (`/v1/orgs/{org}/members`).
    func learn(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        let parsed = routes.map { Route(segments: $0.path.split(separator: "/"), method: $0.method) }
        self.routes.withLock { $0 = parsed }
    }

    /// The methods routes take at `path`, in a stable order; empty when no route has the path.
    func methods(at path: String) -> [HTTPRequest.Method] {
        let asked = path.split(separator: "/")
        let methods = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == asked.count
                    && zip(route.segments, asked).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == segment }
            }.map(\.method)
        }
        return Array(Set(methods)).sorted { $0.rawValue < $1.rawValue }
    }
}
