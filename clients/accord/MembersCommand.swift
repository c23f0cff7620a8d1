import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "List an organization's members, or invite and remove them (owners and admins; needs the server).",
        subcommands: [List.self, Add.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the members, their roles and teams: from the replica once it has synced them, so offline too."
        )

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let organization = try options.organization()
                var members = try localMembers(organization)
                if members.isEmpty {
                    let (connection, _) = try options.connection()
                    members = try await connection.members(of: organization.id.lowercasedText).map {
                        MemberRow(id: $0.user.id, email: $0.user.email, name: $0.user.name, role: $0.role.rawValue, teams: $0.teams.map(\.name))
                    }
                }
                members.sort { ($0.name, $0.email) < ($1.name, $1.email) }
                if options.json { return try printJSON(members) }
                TableWriter.show(
                    [.literal("EMAIL"), .text("ROLE", minimum: 6), .text("NAME", minimum: 12, maximum: 40), .text("TEAMS", maximum: 40)],
                    members.map { [$0.email, $0.role, $0.name, $0.teams.joined(separator: ", ")] }
                )
            }
        }

        /// The members the replica synced; none before its first sync.
        private func localMembers(_ organization: KnownOrganization) throws -> [MemberRow] {
            let replica = try options.replica(for: organization)
            defer { try? replica.close() }
            return try replica.records(CollectionSchema.members.name).map { record in
                func text(_ name: String) -> String { if case .text(let value)? = record.fields[name] { value } else { "" } }
                let teams = (try? JSONDecoder().decode([String].self, from: Data(text("teams").utf8))) ?? []
                return MemberRow(id: record.id, email: text("email"), name: text("name"), role: text("role"), teams: teams)
            }
        }
    }

    /// A member as the list shows them, from the replica or the server alike.
    struct MemberRow: Encodable {
        var id: UUID
        var email: String
        var name: String
        var role: String
        var teams: [String]
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite someone by email; they join once they accept (accord invitations accept)."
        )

        @Argument(help: "The person's email; they sign up with it, before or after the invitation.")
        var email: String

        @Option(help: "owner, admin, editor or viewer.")
        var role = "editor"

        @Option(help: "A team they join on accepting; repeat for several.")
        var team: [String] = []

        func validate() throws {
            guard MemberRole(rawValue: role) != nil else { throw ValidationError("--role must be owner, admin, editor or viewer") }
        }

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let (connection, organization) = try options.connection()
                let invitation = try await connection.invite(
                    email, role: MemberRole(rawValue: role) ?? .editor, teams: team.isEmpty ? nil : team, to: organization.id.lowercasedText
                )
                if options.json { return try printJSON(invitation) }
                print("Invited \(DisplayText.clean(invitation.email)) to \(organization.slug) as \(invitation.role.rawValue).")
                print(Terminal.dim("They join when they run accord invitations accept \(organization.slug) (within 14 days)."))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member; their replicas are purged on their next sync.")

        @Argument(help: "The member's email.")
        var email: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let (connection, organization) = try options.connection()
                let members = try await connection.members(of: organization.id.lowercasedText)
                guard let member = members.first(where: { $0.user.email.lowercased() == email.lowercased() }) else {
                    throw ClientError.notFound("\(email) is not a member of \(organization.slug)")
                }
                try await connection.removeMember(member.user.id, from: organization.id.lowercasedText)
                print("Removed \(member.user.email) from \(organization.slug).")
            }
        }
    }
}

extension GlobalOptions {
    /// The server connection and the organization a command acts in.
    func connection() throws -> (ServerConnection, KnownOrganization) {
        let credentials = try credentials()
        return (ServerConnection(server: credentials.server, token: credentials.token), try organization())
    }
}
