/// What went wrong on the client's side, phrased with what to do about it.
public enum ClientError: Error, CustomStringConvertible, Equatable {
    case notLoggedIn
    case corruptCredentials(String)
    case cannotWrite(String, String)
    case serverUnreachable(String, String)
    /// The server answered with an error in Accord's shape.
    case server(status: Int, code: String, message: String)
    case unexpectedResponse(String)

    public var description: String {
        switch self {
        case .notLoggedIn:
            "not logged in: run accord login <server-url>"
        case .corruptCredentials(let path):
            "the credentials file \(path) cannot be read: run accord login again"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        case .serverUnreachable(let server, let reason):
            "server unreachable at \(server) (\(reason)): check the address and your connection"
        case .server(_, _, let message):
            message
        case .unexpectedResponse(let detail):
            "the server's answer was not understood (\(detail)); is this an Accord server?"
        }
    }
}
