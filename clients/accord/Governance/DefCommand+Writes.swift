import AccordClient
import AccordCore
import ArgumentParser
import Foundation

extension DefCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a term and propose its first version.",
            discussion: "The first version is a proposal like any other: it becomes certified once the agree holders consent and the decider approves."
        )

        @Argument(help: "The term, for example MQL.")
        var term: String

        @Option(help: ArgumentHelp("One of \(CollectionSchema.definitionCategories.joined(separator: ", ")).", valueName: "category"))
        var category: String

        @Option(name: .customLong("owner-team"), help: "The team that owns the definition.")
        var ownerTeam: String?

        @OptionGroup var content: ProposalContent

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard CollectionSchema.definitionCategories.contains(category) else {
                throw ValidationError("--category must be one of \(CollectionSchema.definitionCategories.joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let request = try content.request(startingFrom: nil)
                let added = try await replica.addDefinition(term: term, category: category, ownerTeam: ownerTeam)
                if let warning = added.warning { warn(about: warning) }
                let proposed = try await replica.propose(added.id, request)
                try printQueued(replica, "added \(term) and proposed its first version", warning: proposed.warning)
            }
        }
    }

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose a new version of a definition; what you leave out stays as it is.",
            discussion: "Without --file or --body the current text opens in $EDITOR."
        )

        @Argument(help: "The term.")
        var term: String

        @OptionGroup var content: ProposalContent

        @Flag(help: "Propose deprecating the definition; name its replacement with --replacement.")
        var deprecate = false

        @Option(help: "The term that replaces a deprecated definition.")
        var replacement: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { replica, data in
                    let (id, _) = try replica.definition(term, in: data)
                    let current = data.versions(of: id).last { $0.status == .approved }
                    var request = try content.request(startingFrom: deprecate ? current?.body ?? "" : current?.body)
                    if deprecate {
                        guard let replacement else { throw ClientError.invalidInput("a deprecation names its replacement: add --replacement <term>") }
                        request.deprecate = true
                        request.replacement = try replica.definition(replacement, in: data).id
                    }
                    let written = try await replica.propose(id, request)
                    let kind = request.status == .draft ? "drafted" : "proposed"
                    try printQueued(replica, "\(kind) a change to \(term) (\(written.id.lowercasedText.prefix(8)))", warning: written.warning)
                }
            }
        }
    }
}

/// What a proposal says, from the command line.
struct ProposalContent: ParsableArguments {
    @Option(help: ArgumentHelp("The new text, in Markdown, from a file (- reads standard input).", valueName: "path"))
    var file: String?

    @Option(help: "The new text, in Markdown, given inline.")
    var body: String?

    @Option(help: ArgumentHelp(#"The criteria as a JSON array, such as '[{"field":"lead_score","op":">=","value":60}]'."#, valueName: "json"))
    var criteria: String?

    @Option(help: ArgumentHelp("Other names for the term, comma-separated.", valueName: "names"))
    var synonyms: String?

    @Option(help: "Why the change is needed; the decision log keeps it.")
    var rationale: String

    @Flag(help: "The change is breaking: its number starts the next major version.")
    var breaking = false

    @Flag(help: "Keep it as a draft to edit before proposing it.")
    var draft = false

    /// The request, with the text from --body, --file or the editor (starting from `text`; nil skips the editor).
    func request(startingFrom text: String?) throws -> ProposalRequest {
        var newBody = body
        if newBody == nil, let file { newBody = try GovernanceText.read(file) }
        if newBody == nil, let text, criteria == nil, synonyms == nil { newBody = try GovernanceText.edit(text) }
        return ProposalRequest(
            body: newBody, criteria: criteria,
            synonyms: synonyms.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } },
            rationale: rationale, breaking: breaking, status: draft ? .draft : .proposed
        )
    }
}

/// One step of the decision on a proposal, each its own subcommand.
protocol ProposalStep {
    static var action: ProposalAction { get }
}

enum Consent: ProposalStep { static let action = ProposalAction.consent }
enum Object: ProposalStep { static let action = ProposalAction.object }
enum Comment: ProposalStep { static let action = ProposalAction.comment }
enum Approve: ProposalStep { static let action = ProposalAction.approve }
enum Reject: ProposalStep { static let action = ProposalAction.reject }
enum Withdraw: ProposalStep { static let action = ProposalAction.withdraw }

extension ProposalAction {
    var abstract: String {
        switch self {
        case .consent: "Consent to the open proposal (as an agree holder); this also withdraws your objection."
        case .object: "Object to the open proposal (as an agree holder), saying why in --comment; it blocks approval."
        case .comment: "Comment on the open proposal; input is recorded and does not block."
        case .approve: "Approve the open proposal (as the decider): it becomes the certified version."
        case .reject: "Reject the open proposal (as the decider), saying why in --comment; the current version stays."
        case .withdraw: "Withdraw your own proposal."
        }
    }

    /// "consented to", as a person reads what they did.
    var done: String {
        switch self {
        case .consent: "consented to"
        case .object: "objected to"
        case .comment: "commented on"
        case .approve: "approved"
        case .reject: "rejected"
        case .withdraw: "withdrew"
        }
    }
}

struct DefAction<Step: ProposalStep>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Step.action.rawValue, abstract: Step.action.abstract)
    }

    @Argument(help: "The term.")
    var term: String

    @Option(help: "Your comment, or the reason for an objection or a rejection.")
    var comment: String?

    @Option(help: "The proposal's id (or its start), when the term has several open proposals.")
    var proposal: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withGovernance { replica, data in
                let (id, _) = try replica.definition(term, in: data)
                let open = try replica.openProposal(of: id, id: proposal, in: data)
                let written = try await replica.act(Step.action, on: open.id, comment: comment)
                try printQueued(replica, "\(Step.action.done) the proposed change to \(open.term)", warning: written.warning)
            }
        }
    }
}
