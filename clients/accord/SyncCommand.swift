import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push local changes, pull the server's, and verify the replica; --watch stays live."
    )

    @Flag(help: "Sync every organization you belong to.")
    var all = false

    @Flag(help: "Stay live on the realtime stream, applying changes as they come and pushing local writes.")
    var watch = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if all && watch { throw ValidationError("--watch follows one organization; drop --all") }
    }

    func run() async throws {
        var needsAttention = false
        try await reporting {
            let credentials = try options.credentials()
            var organizations = [try? options.organization()].compactMap { $0 }
            if all || organizations.isEmpty {
                let memberships = try await ServerConnection(server: credentials.server, token: credentials.token).me().memberships
                let config = try options.home.remember(memberships)
                organizations = all ? config.organizations : [try config.organization(options.org)]
            }
            var reports: [SyncReport] = []
            for organization in organizations {
                let report = try await sync(organization, credentials: credentials)
                needsAttention = needsAttention || report.needsAttention
                reports.append(report)
            }
            if options.json { try printJSON(all ? AnyEncodable(reports) : AnyEncodable(reports.first)) }
        }
        if needsAttention { throw ExitCode(4) }
    }

    private func sync(_ organization: KnownOrganization, credentials: Credentials) async throws -> SyncReport {
        let replica = try options.replica(for: organization)
        defer { try? replica.close() }
        let engine = SyncEngine(
            replica: replica,
            transport: HTTPSyncTransport(server: credentials.server, token: credentials.token, organization: organization.id, catalog: options.catalog)
        )
        if watch { try await follow(engine, organization) }
        let summary: SyncSummary
        do {
            summary = try await engine.sync { progress in
                Terminal.progress("\(organization.slug): \(progress.phase.rawValue)", done: progress.done, total: progress.total)
            }
            Terminal.endProgress()
        } catch SyncError.transient(let reason) {
            Terminal.endProgress()
            throw ClientError.offline(server: credentials.server.absoluteString, reason: reason, pending: (try? replica.pendingCount()) ?? 0)
        } catch ClientError.accessLost(_, let kept) {
            Terminal.endProgress()
            try? options.home.forget(organization.id)
            throw ClientError.accessLost(organization.slug, keptUnsynced: kept)
        }
        let status = try replica.status()
        let report = SyncReport(organization: organization.slug, summary: summary, openConflicts: status.openConflicts, rejections: status.rejections)
        if !options.json { print(report.line) }
        return report
    }

    /// Stays live until interrupted, printing a line per round that changed something.
    private func follow(_ engine: SyncEngine, _ organization: KnownOrganization) async throws -> Never {
        if !options.json { emit("Following \(organization.slug); press Ctrl-C to stop.") }
        try await engine.live { result in
            switch result {
            case .success(let summary) where summary.pushed + summary.pulled + summary.snapshotRecords > 0:
                let status = try? engine.replica.status()
                let report = SyncReport(organization: organization.slug, summary: summary, openConflicts: status?.openConflicts ?? 0, rejections: status?.rejections ?? 0)
                emit(options.json ? ((try? jsonText(report)) ?? "") : report.line)
            case .failure(let error):
                FileHandle.standardError.write(Data("accord: \(error); retrying\n".utf8))
            default:
                break
            }
        }
        throw ExitCode.success
    }
}

/// Writes a line unbuffered, so a watcher's output shows at once even through a pipe.
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// What `accord sync` reports per organization.
struct SyncReport: Encodable {
    var organization: String
    var summary: SyncSummary
    var openConflicts: Int
    var rejections: Int

    var needsAttention: Bool { openConflicts > 0 || rejections > 0 }

    var line: String {
        var parts = ["\(summary.pushed) pushed", "\(summary.merged) merged", "\(summary.conflicts) conflicts", "\(summary.rejected) rejected", "\(summary.pulled) pulled"]
        if summary.snapshotRecords > 0 { parts.append("\(summary.snapshotRecords) from snapshot") }
        var text = "\(organization): " + parts.joined(separator: ", ") + (summary.verified ? "; verified" : "")
        if openConflicts > 0 { text += "\n" + Terminal.yellow("\(openConflicts) open conflict\(openConflicts == 1 ? "" : "s"): run accord conflicts") }
        if rejections > 0 { text += "\n" + Terminal.red("\(rejections) rejected change\(rejections == 1 ? "" : "s"): run accord rejections") }
        return text
    }
}

/// Encodes whatever it wraps.
struct AnyEncodable: Encodable {
    let value: any Encodable

    init(_ value: any Encodable) { self.value = value }

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
