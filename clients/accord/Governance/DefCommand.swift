import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct DefCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "def",
        abstract: "Read a definition, propose a change to it, and take part in the decision, offline.",
        discussion: "A term may be named by its name (any case) or its id. Writes are queued and judged by the decision rights at once; accord sync sends them.",
        subcommands: [
            Show.self, History.self, Diff.self, Impact.self, Add.self, Propose.self, DefAction<Consent>.self, DefAction<Object>.self,
            DefAction<Comment>.self, DefAction<Approve>.self, DefAction<Reject>.self, DefAction<Withdraw>.self,
        ]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a definition's certified version, or the one in force on a date.")

        @Argument(help: "The term.")
        var term: String

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The version in force at the end of this day (2026-03-01) or at this time.", valueName: "date"))
        var asOf: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { replica, data in
                    let (id, _) = try replica.definition(term, in: data)
                    let versions = data.versions(of: id)
                    let when = try asOf.map(Self.endOfDay)
                    let detail = DefinitionDetail(
                        definition: DefinitionSummary(id: id, data: data), asOf: when,
                        version: when.map { versions.inForce(at: $0) } ?? versions.last { $0.status == .approved },
                        proposals: versions.filter { $0.status == .proposed || $0.status == .draft }
                    )
                    if options.json { return try printJSON(detail) }
                    DefinitionPrinter.show(detail, asOf: asOf)
                }
            }
        }

        static func endOfDay(_ text: String) throws -> Date {
            if let days = CalendarDate.days(text) { return Date(timeIntervalSince1970: Double(days + 1) * 86_400 - 0.001) }
            guard let time = RFC3339.parse(text) ?? FieldSchema.parseTime(text) else { throw ClientError.invalidInput("--as-of must be a date such as 2026-03-01 or a time such as 2026-03-01T09:00:00Z") }
            return time
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every version: who proposed, consented, objected and decided, and when.")

        @Argument(help: "The term.")
        var term: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { replica, data in
                    let versions = data.versions(of: try replica.definition(term, in: data).id)
                    if options.json { return try printJSON(versions) }
                    guard !versions.isEmpty else { return print("No versions yet; accord def propose \(term) writes the first.") }
                    TableWriter.show(
                        [.literal("VERSION"), .text("STATUS", minimum: 8), .text("PROPOSED", minimum: 10, maximum: 30), .text("DECIDED", minimum: 10, maximum: 30),
                         .text("RESPONSES", minimum: 10)],
                        versions.map { version in
                            [version.label, version.status.rawValue, [version.proposedBy, GovernanceText.day(version.proposedAt)].compactMap { $0 }.joined(separator: " "),
                             version.decidedBy.map { "\($0) \(GovernanceText.day(version.decidedAt))" },
                             version.responses.map { "\($0.name): \($0.stance.rawValue)" }.joined(separator: ", ")]
                        }
                    )
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What changed between two versions: fields, criteria and the body line by line.")

        @Argument(help: "The term.")
        var term: String

        @Argument(help: "The older version: 1.2, current, or the start of a proposal's id.")
        var from: String

        @Argument(help: "The newer version (default: current).")
        var to: String = "current"

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { replica, data in
                    let versions = data.versions(of: try replica.definition(term, in: data).id)
                    func named(_ name: String) throws -> VersionView {
                        guard let version = versions.named(name) else {
                            throw ClientError.notFound("there is no version '\(name)' of \(term); its versions are \(versions.map(\.label).joined(separator: ", "))")
                        }
                        return version
                    }
                    let diff = DefinitionDiff(from: try named(from), to: try named(to))
                    if options.json { return try printJSON(diff) }
                    DefinitionPrinter.show(diff)
                }
            }
        }
    }

    struct Impact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything that refers to the definition: references, decision links and [[Term]] links.")

        @Argument(help: "The term.")
        var term: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                try await options.withGovernance { replica, data in
                    let entries = try replica.impact(of: try replica.definition(term, in: data).id, in: data)
                    if options.json { return try printJSON(entries) }
                    guard !entries.isEmpty else { return print("Nothing refers to \(term).") }
                    TableWriter.show(
                        [.text("RECORD", required: true, minimum: 12, maximum: 50), .text("COLLECTION", minimum: 8), .text("FIELD", minimum: 5), .text("VIA", minimum: 4), .literal("ID", required: false)],
                        entries.map { [$0.title, $0.collection, $0.field, $0.via, String($0.id.lowercasedText.prefix(8))] }
                    )
                }
            }
        }
    }
}
