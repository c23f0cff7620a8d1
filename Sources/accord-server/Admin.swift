import AccordCore
import AccordServer
import ArgumentParser
import Foundation

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Administer the server directly through its database, without HTTP.",
        subcommands: [Bootstrap.self, CreateUser.self, PruneChanges.self]
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

struct PruneChanges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-changes",
        abstract: "Drop an organization's oldest change history; replicas behind it resync by snapshot."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "The organization's slug or id.")
    var org: String

    @Option(help: "Drop changes older than this many days.")
    var olderThanDays: Int?

    @Option(help: "Drop changes up to and including this seq.")
    var throughSeq: Int64?

    func validate() throws {
        guard (olderThanDays == nil) != (throughSeq == nil) else {
            throw ValidationError("Give either --older-than-days or --through-seq.")
        }
        if let olderThanDays, olderThanDays < 0 { throw ValidationError("--older-than-days cannot be negative.") }
    }

    func run() async throws {
        let configuration = try options.configuration()
        let server = try await reportingFailure { try await AccordServer.prepare(configuration, logger: options.logger(configuration)) }
        let (org, through, age) = (org, throughSeq, olderThanDays.map { TimeInterval($0) * 86_400 })
        let deleted = try await reportingFailure {
            try await server.withDatabase { _ in try await server.pruneChanges(org: org, through: through, olderThan: age) }
        }
        print("Dropped \(deleted) changes of \(org).")
    }
}
