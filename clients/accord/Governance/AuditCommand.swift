import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Who changed what, from which client, old and new values: the server's change log, newest first.",
        discussion: "It needs the server: a replica keeps the records, not every change made to them."
    )

    @Option(help: "Only changes to this collection.")
    var collection: String?

    @Option(help: "Only changes to this record (its id).")
    var record: String?

    @Option(help: "Only changes by this member, by email or name.")
    var actor: String?

    @Option(help: ArgumentHelp("Changes from this day or time on.", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Changes before this day or time.", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("Only changes older than this change number, for the next page.", valueName: "seq"))
    var before: Int64?

    @Option(help: "How many changes to show.")
    var limit: Int = 50

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        try await reporting {
            var query: [String: String] = ["limit": String(limit)]
            query["collection"] = collection
            query["record"] = record
            query["since"] = since
            query["until"] = until
            query["before"] = before.map(String.init)
            if let actor {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                guard let member = try await replica.governanceData().directory.find(actor) else { throw ClientError.notFound("no member of this organization is '\(actor)'") }
                query["actor"] = member.id.lowercasedText
            }
            let (connection, organization) = try options.connection()
            let page = try await connection.audit(in: organization.id.lowercasedText, query: query)
            if options.json { return try printJSON(page) }
            guard !page.entries.isEmpty else { return print("No changes match.") }
            TableWriter.show(
                [.text("WHEN", minimum: 8), .text("WHO", minimum: 6, maximum: 24), .text("RECORD", minimum: 12, maximum: 40), .text("CHANGE", minimum: 20)],
                page.entries.map { entry in
                    let change = RecordHistoryEntry(
                        seq: entry.seq, operation: entry.operation, outcome: entry.outcome, actor: entry.actor, actorName: entry.actorName, at: entry.at,
                        fields: entry.fields, previous: entry.previous
                    )
                    let via = entry.clientID == nil ? "" : " (replica \(entry.clientID!.lowercasedText.prefix(8)))"
                    return [Terminal.age(entry.at), (entry.actorName ?? "the server") + via, "\(entry.collection)/\(entry.recordID.lowercasedText.prefix(8))", RecordsCommand.describe(change)]
                }
            )
            if let next = page.nextBefore { print(Terminal.dim("Older changes: accord audit --before \(next)")) }
        }
    }
}
