import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List the open conflicts, or show one side by side.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open conflicts.")

        @Flag(help: "Include resolved conflicts.")
        var all = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let conflicts = try replica.conflicts(includeResolved: all)
                if options.json { return try printJSON(conflicts) }
                guard !conflicts.isEmpty else { return print("No open conflicts.") }
                TableWriter.show(
                    [.literal("ID"), .text("KIND", minimum: 5), .literal("RECORD"), .text("RAISED", minimum: 6), .text("FIELD", minimum: 5, maximum: 24), .text("MINE", maximum: 48)],
                    conflicts.map { conflict in
                        [
                            String(conflict.id.lowercasedText.prefix(8)), conflict.kind.rawValue,
                            "\(conflict.collection)/\(conflict.recordID.lowercasedText.prefix(8))", Terminal.age(conflict.changedAt), conflict.field,
                            conflict.mine ?? (conflict.kind == .deletedWhileEdited ? "(delete)" : nil),
                        ]
                    }
                )
                print(Terminal.dim("accord conflicts show <id>; accord resolve <id> --mine | --theirs | --value ..."))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a conflict's base, mine and theirs side by side.")

        @Argument(help: "The conflict's id, or the start of it.")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let conflict = try replica.conflict(try replica.recordID("conflicts", matching: id))
                if options.json { return try printJSON(conflict) }
                print("conflict \(conflict.id.lowercasedText) (\(conflict.status))")
                print("record   \(conflict.collection)/\(conflict.recordID.lowercasedText)")
                print("kind     \(conflict.kind.rawValue)" + (conflict.field.map { ", field \($0)" } ?? ""))
                // Three columns of values, each wrapped between words and a word longer than its column split.
                let column = (Terminal.width - 2 * TableLayout.gap) / 3
                let gap = String(repeating: " ", count: TableLayout.gap)
                let sides = [conflict.base ?? "-", conflict.mine ?? "(deleted)", conflict.theirs ?? "(deleted)"].map { Wrapping.splittingLongWords($0, width: column) }
                print(["BASE", "MINE", "THEIRS"].map { DisplayText.pad($0, to: column) }.joined(separator: gap).trimmingTrailingSpaces)
                for row in 0..<(sides.map(\.count).max() ?? 0) {
                    let cells = sides.map { row < $0.count ? $0[row] : "" }
                    print(cells.map { $0 + String(repeating: " ", count: max(0, column - DisplayText.width($0))) }.joined(separator: gap).trimmingTrailingSpaces)
                }
                if conflict.status == "open" {
                    print(Terminal.dim("accord resolve \(conflict.id.lowercasedText.prefix(8)) --mine | --theirs" + (conflict.kind == .field ? " | --value ..." : "")))
                }
            }
        }
    }
}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resolve a conflict: keep mine, keep theirs, or set a new value.")

    @Argument(help: "The conflict's id, or the start of it.")
    var id: String

    @Flag(help: "Take the value of the edit that lost (the client's).")
    var mine = false

    @Flag(help: "Keep what the server kept.")
    var theirs = false

    @Option(help: "A new value for the field.")
    var value: String?

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard [mine, theirs, value != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("choose one of --mine, --theirs or --value <value>")
        }
    }

    func run() async throws {
        try await reporting {
            let replica = try options.openReplica()
            defer { try? replica.close() }
            let conflict = try replica.conflict(try replica.recordID("conflicts", matching: id))
            let resolution: ConflictResolution
            if mine {
                resolution = .mine
            } else if theirs {
                resolution = .theirs
            } else {
                guard let field = conflict.field, let schema = replica.catalog.named(conflict.collection) else {
                    throw ClientError.invalidInput("a record conflict is resolved with --mine or --theirs")
                }
                resolution = .value(try FieldAssignments.parse(["\(field)=\(value ?? "")"], for: schema)[field] ?? .null)
            }
            try replica.resolve(conflict.id, with: resolution)
            try printQueued(replica, "resolved \(conflict.id.lowercasedText.prefix(8))")
        }
    }
}

/// Confirms a queued local change and how many wait to sync.
func printQueued(_ replica: Replica, _ what: String, warning: Rejection? = nil) throws {
    let pending = try replica.pendingCount()
    print("\(what); queued, \(pending) change\(pending == 1 ? "" : "s") waiting to sync")
    if let warning { warn(about: warning) }
}

/// Tells the person on standard error that the server will probably refuse a change just queued, and why.
func warn(about refusal: Rejection) {
    let text = "warning: the server will probably refuse this change (\(refusal.code)): \(refusal.reason)"
    FileHandle.standardError.write(Data("accord: \(text)\n".utf8))
}
