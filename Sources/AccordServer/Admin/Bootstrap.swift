public import AccordCore
import Foundation
import Logging

/// What `accord-server admin bootstrap` made.
public struct BootstrapResult: Sendable {
    public var user: UserSummary
    public var organization: Organization
    /// A personal access token for the new user, shown once.
    public var token: String
}

extension AccordAPI {
    /// Creates the first user and organization without HTTP, for servers whose sign-up is closed.
    ///
    /// Without a password the account gets a random one no one knows, and is reached through the token.
    public func bootstrap(email: String, name: String?, password: String?, organization: String, slug: String?) async throws -> BootstrapResult {
        let logger = Logger(label: "accord.admin")
        let displayName = name ?? String(email.prefix(while: { $0 != "@" }))
        let user = try await accounts.createUser(
            email: email, password: password ?? SecretToken.generate().value, name: displayName, logger: logger
        )
        let identity = Identity(userID: user.id, tokenID: UUID(), email: user.email, name: user.name)
        let created = try await organizations.create(name: organization, slug: slug, as: identity, logger: logger)
        let issued = try await accounts.issueToken(for: user, kind: .personal, name: "bootstrap", lifetime: nil, logger: logger)
        return BootstrapResult(user: user, organization: created, token: issued.token)
    }

    /// Creates an account on a server whose sign-up is by invitation.
    public func createUser(email: String, name: String, password: String) async throws -> UserSummary {
        try await accounts.createUser(email: email, password: password, name: name, logger: Logger(label: "accord.admin"))
    }
}
