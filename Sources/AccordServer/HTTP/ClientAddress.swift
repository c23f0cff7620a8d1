import Foundation
import HTTPTypes
import Hummingbird

extension AccordAPI {
    /// The address a request's rate limits count against: the last entry of the trusted proxy header when one
    /// is configured and present (the entry the proxy itself added; earlier ones are the client's to forge),
    /// otherwise the connection's peer.
    func clientAddress(of request: Request, context: Context) -> String {
        if let header = configuration.trustedProxyHeader, let name = HTTPField.Name(header),
           let value = request.headers[values: name].last,
           let last = value.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
            return last
        }
        return context.remoteAddress ?? "unknown"
    }
}
