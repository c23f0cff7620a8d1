/// What went wrong on the client's side, phrased with what to do about it.
public enum ClientError: Error, CustomStringConvertible, Equatable {
    case notLoggedIn
    case corruptCredentials(String)
    case cannotWrite(String, String)
    case serverUnreachable(String, String)
    /// A sync could not reach the server; the local changes wait in the outbox.
    case offline(server: String, reason: String, pending: Int)
    /// The server answered with an error in Accord's shape.
    case server(status: Int, code: String, message: String)
    case unexpectedResponse(String)
    /// Input the client refuses before it reaches the outbox.
    case invalidInput(String)
    case notFound(String)
    /// The organization is gone or the user is no longer a member; its replica was removed. Unsynced changes,
    /// if there were any, were kept in a file set aside.
    case accessLost(String, keptUnsynced: SetAsideChanges? = nil)
    /// The replica still differs from the server after a fresh snapshot.
    case integrity(String)

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
        case .offline(let server, let reason, let pending):
            "server unreachable at \(server) (\(reason)): your changes are saved locally and will sync later (\(pending) waiting)"
        case .server(_, _, let message):
            message
        case .invalidInput(let message), .notFound(let message), .integrity(let message):
            message
        case .accessLost(let org, let kept):
            "you no longer have access to \(org); its local replica was removed" + (kept.map { "; " + $0.description } ?? "")
        case .unexpectedResponse(let detail):
            "the server's answer was not understood (\(detail)); is this an Accord server?"
        }
    }
}

/// Unsynced changes and rejections to review, kept in a replica file set aside when its organization was lost;
/// a count is nil when the file could not be read to count it.
public struct SetAsideChanges: Sendable, Equatable, CustomStringConvertible {
    public var pending: Int?
    public var rejected: Int?
    public var file: String

    public var description: String {
        guard let pending, let rejected else { return "it could not be read to count what it holds, so it was kept in \(file)" }
        var parts: [String] = []
        if pending > 0 { parts.append(pending == 1 ? "unsynced change" : "\(pending) unsynced changes") }
        if rejected > 0 { parts.append(rejected == 1 ? "rejected change to review" : "\(rejected) rejected changes to review") }
        return "its " + parts.joined(separator: " and its ") + (pending + rejected == 1 ? " was" : " were") + " kept in \(file)"
    }
}
