import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the replica's cursor, pending changes, last sync, conflicts and rejections."
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let organization = try options.organization()
            let replica = try options.replica(for: organization)
            defer { try? replica.close() }
            let status = try replica.status()
            if options.json {
                try printJSON(StatusReport(organization: organization.slug, status: status))
                return
            }
            print("\(organization.slug) (\(Terminal.fit(organization.name, 40))), cursor \(status.cursor)")
            print("last sync:   \(Terminal.age(status.lastSuccessAt))")
            let oldest = status.pending > 0 ? " (oldest \(Terminal.age(status.oldestPendingAt)))" : ""
            print("pending:     \(status.pending) change\(status.pending == 1 ? "" : "s")\(oldest)")
            let conflictAge = status.openConflicts > 0 ? " (oldest \(Terminal.age(status.oldestConflictAt)))" : ""
            print("conflicts:   \(status.openConflicts) open\(conflictAge)" + (status.openConflicts > 0 ? Terminal.yellow(": run accord conflicts") : ""))
            let rejectionAge = status.rejections > 0 ? " (oldest \(Terminal.age(status.oldestRejectionAt)))" : ""
            print("rejections:  \(status.rejections)\(rejectionAge)" + (status.rejections > 0 ? Terminal.red(": run accord rejections") : ""))
            if let error = status.lastError {
                print(Terminal.red(Terminal.fit("last error:  \(error) (\(Terminal.age(status.lastErrorAt)))", Terminal.width)))
            }
        }
    }
}

struct StatusReport: Encodable {
    var organization: String
    var status: SyncStatus
}
