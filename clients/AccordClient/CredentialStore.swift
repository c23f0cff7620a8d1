public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a client is logged in, and with which token.
public struct Credentials: Codable, Sendable, Equatable {
    public var server: URL
    public var email: String
    public var token: String
    /// The account's id, which rules judging local writes need; absent in credentials saved by older clients.
    public var userID: UUID?

    public init(server: URL, email: String, token: String, userID: UUID?) {
        self.server = server
        self.email = email
        self.token = token
        self.userID = userID
    }
}

/// Keeps the credentials in one file that only its owner can read (mode 0600).
public struct CredentialStore: Sendable {
    public let file: URL

    public func load() throws -> Credentials? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode(Credentials.self, from: data)
        } catch {
            throw ClientError.corruptCredentials(file.path)
        }
    }

    /// Writes to a new 0600 file and renames it into place, so the token is never readable by others,
    /// not even for a moment, and a crash leaves the old file or the new one.
    public func save(_ credentials: Credentials) throws {
        try AccordHome(directory: file.deletingLastPathComponent()).prepare()
        let data = try JSONEncoder().encode(credentials)
        let temporary = file.path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw ClientError.cannotWrite(file.path, String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0, rename(temporary, file.path) == 0 else {
            unlink(temporary)
            throw ClientError.cannotWrite(file.path, String(cString: strerror(errno)))
        }
    }

    public func delete() throws {
        if FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.removeItem(at: file)
        }
    }
}
