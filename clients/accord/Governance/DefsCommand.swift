import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct DefsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defs",
        abstract: "List the organization's definitions with their certified versions, offline."
    )

    @Option(help: ArgumentHelp("Only this category: \(CollectionSchema.definitionCategories.joined(separator: ", ")).", valueName: "category"))
    var category: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withGovernance { _, data in
                let all = DefinitionSummary.all(in: data).filter { category == nil || $0.category == category }
                if options.json { return try printJSON(all) }
                guard !all.isEmpty else { return print("No definitions in this replica; accord def add adds one, accord sync fetches them.") }
                TableWriter.show(
                    [.text("TERM", required: true, minimum: 8, maximum: 32), .text("CATEGORY", minimum: 8), .literal("VERSION"), .text("STATUS", minimum: 6),
                     .text("OWNER", minimum: 5, maximum: 20), .text("OPEN", minimum: 4)],
                    all.map { summary in
                        [summary.term, summary.category, summary.version ?? "—", summary.replacedBy.map { "deprecated → \($0)" } ?? summary.status,
                         summary.ownerTeam, summary.openProposals == 0 ? "" : "\(summary.openProposals) proposal\(summary.openProposals == 1 ? "" : "s")"]
                    }
                )
            }
        }
    }
}
