import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct RejectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejections",
        abstract: "List the changes the server refused; retry one after an edit, or discard it.",
        subcommands: [List.self, Retry.self, Discard.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List rejected changes with their reasons.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let rejections = try replica.rejections()
                if options.json { return try printJSON(rejections) }
                guard !rejections.isEmpty else { return print("No rejected changes.") }
                for rejected in rejections {
                    let record = "\(rejected.collection)/\(rejected.recordID.lowercasedText.prefix(8))"
                    print("\(rejected.id)  \(rejected.operation.rawValue) \(record)  \(Terminal.dim(Terminal.age(rejected.rejectedAt)))")
                    for line in Wrapping.lines("\(rejected.code): \(rejected.reason)", width: Terminal.width - 4) { print("    " + Terminal.red(line)) }
                }
                print(Terminal.dim("accord rejections retry <id> [field=value ...] or accord rejections discard <id>"))
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a rejected change again, with edits.")

        @Argument(help: "The rejected change's id, as accord rejections lists it.")
        var id: String

        @Argument(help: "Fields to change first, as field=value.")
        var edits: [String] = []

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let rejected = try replica.rejection(id)
                let schema = try replica.catalog.named(rejected.collection).orThrow("unknown collection \(rejected.collection)")
                try replica.retryRejection(rejected.id, edits: try FieldAssignments.parse(edits, for: schema))
                try printQueued(replica, "retrying \(rejected.operation.rawValue) of \(rejected.collection)/\(rejected.recordID.lowercasedText.prefix(8))")
            }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a rejected change for good.")

        @Argument(help: "The rejected change's id.")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let rejected = try replica.rejection(id)
                try replica.discardRejection(rejected.id)
                print("Discarded the rejected \(rejected.operation.rawValue) of \(rejected.collection)/\(rejected.recordID.lowercasedText.prefix(8)).")
            }
        }
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw ClientError.invalidInput(message) }
        return self
    }
}
