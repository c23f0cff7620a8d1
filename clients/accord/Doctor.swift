import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration, the server, the replica and the outbox, and say how to fix what is wrong."
    )

    @OptionGroup var options: GlobalOptions

    struct Check: Encodable {
        var name: String
        var ok: Bool
        var detail: String
    }

    func run() async throws {
        var checks: [Check] = []
        func record(_ name: String, _ ok: Bool, _ detail: [TextPart]) {
            checks.append(Check(name: name, ok: ok, detail: Wrapping.lines(detail, width: .max).joined()))
            guard !options.json else { return }
            // Paths and commands are literals: a line of their own when they do not fit, never split.
            let lines = Wrapping.lines([.prose("\(name):")] + detail, width: Terminal.width - 5)
            print((ok ? Terminal.green("ok  ") : Terminal.red("FAIL")) + " " + lines[0])
            for line in lines.dropFirst() { print("     " + line) }
        }
        await diagnose(record)
        if options.json { try printJSON(checks) }
        if checks.contains(where: { !$0.ok }) { throw ExitCode.failure }
    }

    private func diagnose(_ record: (String, Bool, [TextPart]) -> Void) async {
        let home = options.home
        let credentials: Credentials
        do {
            guard let loaded = try home.credentials.load() else {
                return record("credentials", false, ["not logged in: run", .literal("accord login <server-url>")])
            }
            credentials = loaded
            let mode = (try? FileManager.default.attributesOfItem(atPath: home.credentials.file.path)[.posixPermissions] as? NSNumber)?.intValue
            record(
                "credentials", mode == 0o600,
                mode == 0o600 ? [.literal(loaded.email), "on", .literal(loaded.server.absoluteString)] : ["readable by others:", .literal("chmod 600 \(home.credentials.file.path)")]
            )
        } catch {
            return record("credentials", false, ["\(error)"])
        }
        for file in home.setAsideReplicas() {
            record(
                "set aside", true,
                [
                    "unsynced changes of an organization you lost are kept in", .literal(file.path), "; see them with",
                    .literal("sqlite3 '\(file.path.replacingOccurrences(of: "'", with: "'\\''"))' 'SELECT * FROM outbox'"), "and delete the file once done",
                ]
            )
        }
        let organization: KnownOrganization
        do {
            organization = try options.organization()
            record("config", true, ["using", .literal(organization.slug)])
        } catch {
            return record("config", false, ["\(error)"])
        }
        do {
            _ = try await ServerConnection(server: credentials.server, token: credentials.token).me()
            record("server", true, ["reachable, token accepted"])
        } catch {
            record("server", false, ["\(error)"])
        }
        do {
            let replica = try options.replica(for: organization)
            defer { try? replica.close() }
            let integrity = try replica.integrityCheck()
            record("replica file", integrity == "ok", integrity == "ok" ? [.literal(replica.url.path)] : ["\(integrity): move the file away and run", .literal("accord sync")])
            let transport = HTTPSyncTransport(server: credentials.server, token: credentials.token, organization: organization.id, catalog: options.catalog)
            do {
                let comparison = try await replica.compare(with: transport)
                record("protocol", true, ["sync protocol \(SyncProtocol.version)"])
                switch comparison {
                case .equal: record("replica data", true, ["equal to the server (checksums match)"])
                case .behind: record("replica data", true, ["behind the server: run", .literal("accord sync")])
                case .needsSnapshot: record("replica data", true, ["needs a snapshot: run", .literal("accord sync")])
                case .different(let collections):
                    record("replica data", false, ["differs from the server in \(collections.joined(separator: ", ")): run", .literal("accord sync"), "which resyncs"])
                }
            } catch SyncError.refused(_, "protocol_unsupported", let message) {
                record("protocol", false, ["\(message)"])
            } catch {
                record("replica data", true, ["not compared while offline (\(error))"])
            }
            let status = try replica.status()
            let stale = status.oldestPendingAt.map { Date().timeIntervalSince($0) > 86_400 } ?? false
            record("outbox", !stale, stale ? ["\(status.pending) pending, oldest \(Terminal.age(status.oldestPendingAt)): run", .literal("accord sync")] : ["\(status.pending) pending"])
            record("rejections", status.rejections == 0, status.rejections == 0 ? ["none"] : ["\(status.rejections) waiting: run", .literal("accord rejections")])
            record("conflicts", true, ["\(status.openConflicts) open"])
        } catch {
            record("replica file", false, ["\(error)"])
        }
    }
}
