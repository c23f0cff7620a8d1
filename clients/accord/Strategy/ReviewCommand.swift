import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Cadence reviews, offline: start one, decide each item, close it.",
        subcommands: [Start.self, Show.self, Decide.self, Close.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a review with every KPI off track, SLA breach, play past its stop criteria and decision due.")

        @Option(help: "weekly, monthly or quarterly.")
        var cadence = "monthly"

        @Option(help: ArgumentHelp("The period reviewed (default: the last complete one).", valueName: "period"))
        var period: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                guard let cadence = ReviewCadence(rawValue: cadence.lowercased()) else {
                    throw ClientError.invalidInput("--cadence is weekly, monthly or quarterly, not '\(cadence)'")
                }
                let (review, warning) = try await replica.startReview(cadence, period: period)
                if options.json { return try printJSON(review) }
                try printQueued(replica, "opened the \(review.cadence) review of \(review.period) with \(review.items.count) item\(review.items.count == 1 ? "" : "s")", warning: warning)
                ReviewPrinter.print(review)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A review's items and outcomes (default: the latest open one, else the latest); --all lists every review.")

        @Argument(help: "The review's id, or its start.")
        var review: String?

        @Flag(help: "List every review instead.")
        var all = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                if all {
                    let reviews = try replica.reviews()
                    if options.json { return try printJSON(reviews) }
                    guard !reviews.isEmpty else { return print("No reviews in this replica; accord review start opens one.") }
                    return TableWriter.show(
                        [.literal("ID"), .literal("CADENCE", required: false), .literal("PERIOD"), .text("STATUS", required: true, minimum: 6), .text("ITEMS", minimum: 9)],
                        reviews.map { [String($0.id.lowercasedText.prefix(8)), $0.cadence, $0.period, $0.status.rawValue, "\($0.items.count - $0.undecided.count) of \($0.items.count) decided"] }
                    )
                }
                let shown = try replica.review(review)
                if options.json { return try printJSON(shown) }
                ReviewPrinter.print(shown)
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decide an item: accord review decide 2 stop --rationale \"...\" (logged as a decision).")

        @Argument(help: "The item's number, as review show lists it.")
        var item: Int

        @Argument(help: "act, hold or stop.")
        var outcome: String

        @Option(help: "Why; the decision log keeps it.")
        var rationale: String

        @Option(help: ArgumentHelp("The play or target it changes, as plays/<id> or targets/<id> (a play's own item by default).", valueName: "record"))
        var changes: String?

        @Option(help: "The review's id, or its start (default: the latest open one, else the latest).")
        var review: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                guard let outcome = ReviewOutcome(rawValue: outcome.lowercased()) else {
                    throw ClientError.invalidInput("the outcome is act, hold or stop, not '\(outcome)'")
                }
                let shown = try replica.review(review)
                let warning = try await replica.decide(shown, item: item, outcome: outcome, rationale: rationale, changes: changes)
                try printQueued(replica, "decided item \(item) of the \(shown.period) review: \(outcome.rawValue)", warning: warning)
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a review once every item has a decision, with a summary.")

        @Option(help: "What the review concluded.")
        var summary: String

        @Option(help: "The review's id, or its start (default: the latest open one, else the latest).")
        var review: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let shown = try replica.review(review)
                let written = try await replica.close(shown, summary: summary)
                try printQueued(replica, "closed the \(shown.period) review", warning: written.warning)
            }
        }
    }
}

enum ReviewPrinter {
    static func print(_ review: ReviewView) {
        let decided = review.items.count - review.undecided.count
        Swift.print("\(review.cadence.capitalized) review of \(review.period) · \(review.status.rawValue) · \(decided) of \(review.items.count) decided · \(review.id.lowercasedText.prefix(8))")
        for (index, item) in review.items.enumerated() {
            let mark = item.outcome.map { Terminal.green("✔ \($0.rawValue)") } ?? Terminal.yellow("? open")
            StrategyText.item("\(index + 1). \(mark) · \(item.kind.rawValue): \(item.title)")
        }
        if review.items.isEmpty { Swift.print("  Nothing needs a decision.") }
        if let summary = review.summary { StrategyText.item("Summary: \(summary)") }
    }
}
