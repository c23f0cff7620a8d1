import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct DecideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Record a decision in the log, offline; the right for its type says who may.",
        discussion: "A decided decision is never edited: to change course, record a new one with --supersedes."
    )

    @Argument(help: "The decision's title, such as \"Shift 10% of events budget to partner webinars\".")
    var title: String

    @Option(help: "The decision type, such as budget.shift or target.change.")
    var type: String

    @Option(help: "Why; required, and kept in the log.")
    var rationale: String

    @Option(help: "The scope of the type, when its right is scoped.")
    var scope: String?

    @Option(help: ArgumentHelp("weekly, monthly, quarterly or ad_hoc (default).", valueName: "cadence"))
    var cadence: String = DecisionCadence.adHoc.rawValue

    @Option(name: .customLong("link"), help: ArgumentHelp("A record it concerns: a definition's term, or collection/id; repeatable.", valueName: "record"))
    var links: [String] = []

    @Option(name: .customLong("review-on"), help: ArgumentHelp("When to revisit it, such as 2027-03-01.", valueName: "date"))
    var reviewOn: String?

    @Option(help: ArgumentHelp("The decision this one replaces (its id or the start of it).", valueName: "id"))
    var supersedes: String?

    @Flag(help: "Record it as proposed, for the decider to decide.")
    var proposed = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard DecisionCadence(rawValue: cadence) != nil else { throw ValidationError("--cadence must be weekly, monthly, quarterly or ad_hoc") }
        if let reviewOn, CalendarDate.days(reviewOn) == nil { throw ValidationError("--review-on must be a date such as 2027-03-01") }
    }

    func run() async throws {
        try await reporting {
            try await options.withGovernance { replica, data in
                let linked = try links.map { link -> String in
                    if link.contains("/") { return link.lowercased() }
                    return "definitions/\(try replica.definition(link, in: data).id.lowercasedText)"
                }
                var fields: RecordFields = [
                    "title": .text(title), "decision_type": .text(type), "rationale": .text(rationale), "cadence": .text(cadence),
                    "status": .text((proposed ? DecisionStatus.proposed : .decided).rawValue), "links": .strings(linked),
                ]
                if let scope { fields["scope"] = .text(scope) }
                if let reviewOn { fields["review_on"] = .text(reviewOn) }
                if let supersedes {
                    fields["supersedes"] = .reference(CollectionSchema.decisions.name, try replica.recordID(CollectionSchema.decisions.name, matching: supersedes))
                }
                let written = try await replica.recordDecision(fields)
                try printQueued(replica, "recorded decision \(written.id.lowercasedText.prefix(8))", warning: written.warning)
            }
        }
    }
}

struct DecisionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decisions", abstract: "The decision log, filtered, offline; the latest first.")

    @Option(help: "Only this decision type.")
    var type: String?

    @Option(help: "proposed, decided or superseded.")
    var status: String?

    @Option(help: "weekly, monthly, quarterly or ad_hoc.")
    var cadence: String?

    @Option(help: "Only decisions linked to this definition (by term) or record (collection/id).")
    var link: String?

    @Option(help: "Only decisions this member decided, by email or name.")
    var decider: String?

    @Option(help: ArgumentHelp("Decided on or after this day.", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Decided on or before this day.", valueName: "date"))
    var until: String?

    @Flag(help: "Only decisions whose review date has come.")
    var due = false

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withGovernance { replica, data in
                let linked = try link.map { $0.contains("/") ? $0 : "definitions/\(try replica.definition($0, in: data).id.lowercasedText)" }
                let filter = try DecisionFilter(
                    type: type, status: status, cadence: cadence, link: linked, decider: decider, since: since, until: until, due: due, directory: data.directory
                )
                let entries = filter.apply(to: data, today: CalendarDate.text(Date()))
                if options.json { return try printJSON(entries) }
                guard !entries.isEmpty else { return print("No decisions match.") }
                TableWriter.show(
                    [.literal("ID"), .text("DECIDED", minimum: 10), .text("TITLE", required: true, minimum: 16, maximum: 60), .text("TYPE", minimum: 8),
                     .text("STATUS", minimum: 6), .text("BY", minimum: 6, maximum: 24), .text("REVIEW", minimum: 6)],
                    entries.map { entry in
                        [String(entry.id.lowercasedText.prefix(8)), entry.decidedOn ?? "", entry.title, entry.type, entry.status.rawValue, entry.decidedBy,
                         entry.reviewOn.map { entry.isDue(today: CalendarDate.text(Date())) ? "\($0) due" : $0 }]
                    }
                )
            }
        }
    }
}

struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "What waits for you: proposals to consent to, comment on or decide, escalations, reviews due, and news; offline."
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let replica = try options.openReplica()
            defer { try? replica.close() }
            let items = try await replica.inbox()
            if options.json { return try printJSON(items) }
            guard !items.isEmpty else { return print("Nothing waits for you.") }
            let labels: [InboxItem.Kind: String] = [
                .agree: "consent?", .input: "input?", .decide: "decide", .escalated: "escalated", .reviewDue: "review", .informed: "news",
            ]
            TableWriter.show(
                [.text("WHAT", minimum: 6), .text("ITEM", required: true, minimum: 14, maximum: 40), .text("DETAIL", minimum: 20), .text("SINCE", minimum: 5)],
                items.map { [labels[$0.kind], $0.title, $0.detail, Terminal.age($0.since)] }
            )
            print(Terminal.dim("accord def show <term>; accord def consent|object|approve|reject <term>"))
        }
    }
}
