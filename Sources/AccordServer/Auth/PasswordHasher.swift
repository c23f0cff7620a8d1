import AccordCore
import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on the thread pool because each hash takes a deliberate fraction of a second.
struct PasswordHasher: Sendable {
    let cost: UInt8

    /// A hash of a password no one has, checked against when the email is unknown so that the answer
    /// takes as long as for a real account and does not reveal which emails exist.
    let decoyHash: String

    init(cost: Int) {
        self.cost = UInt8(cost)
        self.decoyHash = Bcrypt.hash("accord-decoy-password", cost: UInt8(cost))
    }

    func hash(_ password: String) async throws -> String {
        let material = Self.material(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(material, cost: cost) }
    }

    /// A password no account can have (with a NUL, or too long) never matches; it still costs a hash, so its
    /// refusal takes as long as any other.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let acceptable = (try? Validators.password(password)) != nil
        let material = Self.material(password)
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(material, hash: acceptable ? hash ?? decoyHash : decoyHash) }
        return acceptable && hash != nil && matches
    }

    /// What bcrypt is given. bcrypt reads only the first 72 bytes, so a longer password is hashed with SHA-256
    /// first and every byte of it counts; shorter ones go in as they are.
    static func material(_ password: String) -> String {
        guard password.utf8.count > 72 else { return password }
        return "sha256:" + Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
