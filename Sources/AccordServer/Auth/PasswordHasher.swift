import AccordCore
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
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// A password no account can have (with a NUL, or past bcrypt's 72 bytes) never matches, though bcrypt
    /// would compare only a prefix of it; it still costs a hash, so its refusal takes as long as any other.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let acceptable = !password.utf8.contains(0) && password.utf8.count <= Validators.maxPasswordBytes
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: acceptable ? hash ?? decoyHash : decoyHash) }
        return acceptable && hash != nil && matches
    }
}
