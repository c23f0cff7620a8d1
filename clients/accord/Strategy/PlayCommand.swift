import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play", abstract: "Move a play, offline: activate, defer (not now), finish or stop it; play.activate decides who may.",
        subcommands: [PlayMove<Activate>.self, PlayMove<NotNow>.self, PlayMove<Done>.self, PlayMove<Stop>.self]
    )
}

/// One move of a play, as a subcommand named after it.
protocol PlayStep {
    static var status: PlayStatus { get }
    static var command: String { get }
    static var abstract: String { get }
}

enum Activate: PlayStep {
    static let status = PlayStatus.active, command = "activate"
    static let abstract = "Activate a play, within the organization's limit on active plays and its capacity budget."
}

enum NotNow: PlayStep {
    static let status = PlayStatus.notNow, command = "not-now"
    static let abstract = "Defer a play, saying why in --rationale: \"not now\" is a decision the log keeps."
}

enum Done: PlayStep {
    static let status = PlayStatus.done, command = "done"
    static let abstract = "Mark a play done (its owner may, as well as the decider)."
}

enum Stop: PlayStep {
    static let status = PlayStatus.stopped, command = "stop"
    static let abstract = "Stop a play, freeing its capacity; stopped is final."
}

struct PlayMove<Step: PlayStep>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Step.command, abstract: Step.abstract)
    }

    @Argument(help: "The play's name or id.")
    var play: String

    @Option(help: "Why; the decision log keeps it (required for not-now).")
    var rationale: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withBoard { replica, board in
                if Step.status == .notNow, (rationale ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    throw ClientError.invalidInput("\"not now\" is a decision: say why with --rationale \"...\"")
                }
                let chosen = try replica.play(play, in: board)
                let written = try await replica.move(chosen, to: Step.status, rationale: rationale)
                try printQueued(replica, "marked the play \(chosen.name) \(Step.status.label)", warning: written.warning)
            }
        }
    }
}
