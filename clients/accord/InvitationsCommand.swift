import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct InvitationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invitations",
        abstract: "List the invitations waiting for you, and accept or decline them (needs the server).",
        subcommands: [List.self, Accept.self, Decline.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the invitations addressed to your email.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let invitations = try await options.serverConnection().invitations()
                if options.json { return try printJSON(invitations) }
                guard !invitations.isEmpty else {
                    print("No invitations are waiting for you.")
                    return
                }
                TableWriter.show(
                    [.literal("ORG"), .text("ROLE", minimum: 6), .text("FROM", minimum: 8, maximum: 30), .text("TEAMS", maximum: 30), .text("EXPIRES", minimum: 7)],
                    invitations.map { invitation in
                        [invitation.organization.slug, invitation.role.rawValue, invitation.invitedBy ?? "", invitation.teams.joined(separator: ", "),
                         Self.remaining(until: invitation.expiresAt)]
                    }
                )
                print(Terminal.dim("accord invitations accept <org> or accord invitations decline <org>"))
            }
        }

        static func remaining(until date: Date, now: Date = Date()) -> String {
            let hours = Int(date.timeIntervalSince(now)) / 3_600
            return hours >= 48 ? "in \(hours / 24)d" : "in \(max(hours, 0))h"
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Join the organization an invitation is for.")

        @Argument(help: "The organization's slug, or the invitation's id.")
        var invitation: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let connection = try options.serverConnection()
                let chosen = try await InvitationsCommand.find(invitation, in: connection)
                let membership = try await connection.acceptInvitation(chosen.id)
                _ = try options.home.remember(try await connection.me().memberships)
                if options.json { return try printJSON(membership) }
                print("You joined \(membership.organization.slug) as \(membership.role.rawValue).")
                print(Terminal.dim("accord use \(membership.organization.slug) makes it the default; accord sync --org \(membership.organization.slug) fetches it."))
            }
        }
    }

    struct Decline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turn an invitation down.")

        @Argument(help: "The organization's slug, or the invitation's id.")
        var invitation: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let connection = try options.serverConnection()
                let chosen = try await InvitationsCommand.find(invitation, in: connection)
                try await connection.declineInvitation(chosen.id)
                print("Declined the invitation to \(chosen.organization.slug).")
            }
        }
    }

    /// The waiting invitation `reference` names, by organization slug or invitation id.
    static func find(_ reference: String, in connection: ServerConnection) async throws -> Invitation {
        let waiting = try await connection.invitations()
        let lowered = reference.lowercased()
        guard let found = waiting.first(where: { $0.id.lowercasedText == lowered || $0.organization.slug == lowered }) else {
            throw ClientError.notFound("no invitation to '\(reference)' is waiting for you; run accord invitations")
        }
        return found
    }
}

extension GlobalOptions {
    /// A connection to the server as the logged-in user, for commands that act outside any organization.
    func serverConnection() throws -> ServerConnection {
        let credentials = try credentials()
        return ServerConnection(server: credentials.server, token: credentials.token)
    }
}
