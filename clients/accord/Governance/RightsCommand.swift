import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct RightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rights",
        abstract: "The decision rights: who recommends, agrees, gives input, decides, performs and is informed.",
        discussion: "Change a right with accord records decision_rights set <id> field=value (or new); that change is itself governed by decision_right.change.",
        subcommands: [List.self, Check.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every right in force, the defaults included.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { _, data in
                    let rights = data.rights.all
                    if options.json { return try printJSON(rights) }
                    let directory = data.directory
                    TableWriter.show(
                        [.text("RIGHT", required: true, minimum: 14, maximum: 40), .text("DECIDE", minimum: 10, maximum: 40), .text("AGREE", minimum: 8, maximum: 40),
                         .text("RECOMMEND", minimum: 8, maximum: 40), .text("ESCALATES", minimum: 8, maximum: 30)],
                        rights.map { right in
                            [right.title + (right.id == nil ? " (default)" : ""), directory.describe(right.decide), GovernanceText.holders(right.agree, directory),
                             GovernanceText.holders(right.recommend, directory),
                             right.escalateTo.map { "after \(right.escalateAfterDays ?? 0)d to \(directory.describe($0))" }]
                        }
                    )
                }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who may do what for a decision type, and why: the right that applies and the holder that matched.")

        @Argument(help: "The decision type, such as definition.change or target.change.")
        var type: String

        @Option(help: "The member to check, by email or name (default: you).")
        var user: String?

        @Option(help: "The scope, such as a definition category (lifecycle_stage).")
        var scope: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { replica, data in
                    let member: GovernanceMember
                    if let user {
                        guard let found = data.directory.find(user) else { throw ClientError.notFound("no member of this organization is '\(user)'") }
                        member = found
                    } else {
                        member = try replica.governanceMember(in: data)
                    }
                    let answer = RightsCheckAnswer(member: member, type: type, scope: scope, book: data.rights)
                    if options.json { return try printJSON(answer) }
                    let source = answer.right.id == nil ? "Accord's default" : "the organization's right"
                    print("\(member.name) under \(answer.right.title) (\(source)):")
                    TableWriter.show(
                        [.text("PART", minimum: 9), .text("HOLDS", minimum: 5), .text("WHY", minimum: 20)],
                        answer.checks.map { check in
                            let holders = GovernanceText.holders(check.right.holders(check.role), data.directory)
                            return [check.role.rawValue, check.holds ? "yes" : "no",
                                    check.matched.map { "as \(data.directory.describe($0))" } ?? "held by \(holders)"]
                        }
                    )
                }
            }
        }
    }
}
