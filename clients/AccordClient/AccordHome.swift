public import Foundation

/// The client's state directory: `$ACCORD_HOME`, or `~/.accord`. Each home is independent of every other,
/// so several clients can live on one machine.
public struct AccordHome: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$ACCORD_HOME` when set, otherwise `~/.accord`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> AccordHome {
        if let path = environment["ACCORD_HOME"], !path.isEmpty {
            return AccordHome(directory: URL(fileURLWithPath: path))
        }
        return AccordHome(directory: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".accord"))
    }

    public var credentials: CredentialStore { CredentialStore(file: directory.appendingPathComponent("credentials.json")) }

    /// Creates the directory, readable by its owner only, when it does not exist yet.
    public func prepare() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
