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
            if options.json {
                try printJSON(memberships)
                return
            }
            guard !memberships.isEmpty else {
                print("You belong to no organization yet.")
                return
            }
            let slugWidth = max(4, memberships.map(\.organization.slug.count).max() ?? 0)
            print("SLUG".padding(toLength: slugWidth + 2, withPad: " ", startingAt: 0) + "ROLE    NAME")
            for membership in memberships {
                let slug = membership.organization.slug.padding(toLength: slugWidth + 2, withPad: " ", startingAt: 0)
                let role = membership.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                print(String((slug + role + membership.organization.name).prefix(80)))
            }
        }
    }
}
