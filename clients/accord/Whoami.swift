import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show who you are logged in as, and where.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let credentials = try options.credentials()
            let me = try await ServerConnection(server: credentials.server, token: credentials.token).me()
            if options.json {
                try printJSON(me.user)
            } else {
                print("\(me.user.name) <\(me.user.email)> on \(credentials.server.absoluteString)")
            }
        }
    }
}

struct Orgs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the organizations you belong to.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let credentials = try options.credentials()
            let memberships = try await ServerConnection(server: credentials.server, token: credentials.token).me().memberships
            let config = try options.home.remember(memberships)
            if options.json {
                try printJSON(memberships)
                return
            }
            guard !memberships.isEmpty else {
                print("You belong to no organization yet.")
                return
            }
            TableWriter.show(
                [.text("", required: true, minimum: 1, maximum: 1), .literal("SLUG"), .text("ROLE", minimum: 6), .text("NAME", minimum: 12), .literal("ID", required: false)],
                memberships.map { membership in
                    let chosen = membership.organization.id == config.defaultOrganization ? "*" : nil
                    return [chosen, membership.organization.slug, membership.role.rawValue, membership.organization.name, membership.organization.id.lowercasedText]
                }
            )
        }
    }
}

struct Use: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Choose the organization later commands act in.")

    @Argument(help: "The organization's slug or id.")
    var organization: String

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            var config = try options.home.loadConfig()
            if (try? config.organization(organization)) == nil, let credentials = try? options.credentials() {
                // Not seen yet: ask the server for the current list; offline, the known list decides.
                if let memberships = try? await ServerConnection(server: credentials.server, token: credentials.token).me().memberships {
                    config = try options.home.remember(memberships)
                }
            }
            let chosen = try config.organization(organization)
            config.defaultOrganization = chosen.id
            try options.home.saveConfig(config)
            print("Now using \(chosen.slug) (\(chosen.name)).")
        }
    }
}
