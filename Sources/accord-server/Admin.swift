import AccordCore
import AccordServer
import ArgumentParser
import Foundation

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Administer the server directly through its database, without HTTP.",
        subcommands: [Bootstrap.self, CreateUser.self]
    )
}

struct Bootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the first user and organization, and print a token for them."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "The first user's email.")
    var email: String

    @Option(help: "The first organization's name.")
    var org: String

    @Option(help: "The organization's slug (default: derived from its name).")
    var slug: String?

    @Option(help: "The user's display name (default: the email's local part).")
    var name: String?

    @Flag(help: "Read the user's password from standard input; without it, the account is reached through the token only.")
    var passwordStdin = false

    func run() async throws {
        let configuration = try options.configuration()
        let password = passwordStdin ? readLine(strippingNewline: true) : nil
        let server = try await reportingFailure { try await AccordServer.prepare(configuration, logger: options.logger(configuration)) }
        let (email, name, org, slug) = (email, name, org, slug)
        let result = try await reportingFailure {
            try await server.withDatabase { api in
                try await api.bootstrap(email: email, name: name, password: password, organization: org, slug: slug)
            }
        }
        print("Created \(result.user.email) as owner of \(result.organization.name) (\(result.organization.slug)).")
        print("Personal access token, shown this once:")
        print(result.token)
    }
}

struct CreateUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-user",
        abstract: "Create an account; its password is read from standard input."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "The user's email.")
    var email: String

    @Option(help: "The user's display name.")
    var name: String

    func run() async throws {
        let configuration = try options.configuration()
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw ValidationError("Send the password on standard input, for example: echo \"$PASSWORD\" | accord-server admin create-user ...")
        }
        let server = try await reportingFailure { try await AccordServer.prepare(configuration, logger: options.logger(configuration)) }
        let (email, name) = (email, name)
        let user = try await reportingFailure {
            try await server.withDatabase { api in try await api.createUser(email: email, name: name, password: password) }
        }
        print("Created \(user.email) (\(user.id)). Owners and admins can now add them to organizations.")
    }
}
