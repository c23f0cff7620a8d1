import AccordClient
import AccordCore
import ArgumentParser
import Foundation

@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord's terminal client: one source of truth for your organizations' definitions, KPIs and decisions.",
        discussion: "Every write works offline and is queued; accord sync reconciles. Exit codes: 0 success, 1 user error, 2 usage, 3 server unreachable, 4 sync left conflicts or rejections.",
        subcommands: [
            Signup.self, Login.self, Logout.self, Whoami.self, Orgs.self, Use.self, SyncCommand.self, StatusCommand.self,
            ConflictsCommand.self, Resolve.self, RejectionsCommand.self, RecordsCommand.self, MembersCommand.self, InvitationsCommand.self,
            InboxCommand.self, DefsCommand.self, DefCommand.self, RightsCommand.self, DecideCommand.self, DecisionsCommand.self, AuditCommand.self,
            KPIsCommand.self, KPICommand.self, TargetCommand.self, ActualsCommand.self, DashboardCommand.self,
            PrioritiesCommand.self, ConstraintsCommand.self, PlaysCommand.self, PlayCommand.self, SLAsCommand.self, ReviewCommand.self, AlignmentCommand.self, PortfolioCommand.self, ExportCommand.self, ImportCommand.self, PacksCommand.self, Doctor.self,
        ]
    )

    /// Usage errors exit with 2, as the documented exit codes promise.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON.")
    var json = false

    @Option(help: "The organization to act in, by slug or id (default: the one chosen with accord use).")
    var org: String?

    var home: AccordHome { AccordHome.fromEnvironment() }

    /// The collections this client syncs.
    var catalog: Catalog { .builtIn }

    /// The stored credentials, or the error that tells the user to log in.
    func credentials() throws -> Credentials {
        guard let credentials = try home.credentials.load() else { throw ClientError.notLoggedIn }
        return credentials
    }

    /// The organization this command acts in, known from the last time the server listed them.
    func organization() throws -> KnownOrganization {
        try home.loadConfig().organization(org)
    }

    /// Opens the replica of the organization this command acts in.
    func openReplica() throws -> Replica {
        try replica(for: try organization())
    }

    /// Opens (or creates) the organization's replica; no network needed. Local writes are judged as the logged-in
    /// member's, with the role and teams the server last listed.
    func replica(for organization: KnownOrganization) throws -> Replica {
        let actor = try home.credentials.load()?.userID.map {
            RuleActor(userID: $0, role: organization.role, teams: Set(organization.teams))
        }
        return try Replica(at: home.replicaFile(for: organization.id), organization: organization.id, catalog: catalog, actor: actor)
    }
}

/// Parses a server address argument, or says what one looks like. Plain `http://` would send the password and
/// every token in clear, so it is taken only for this machine unless the person says `--insecure`.
func serverURL(_ text: String, insecure: Bool) throws -> URL {
    guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), let host = url.host, !host.isEmpty else {
        throw ValidationError("'\(text)' is not a server address; use one like https://accord.example.com or http://127.0.0.1:8080")
    }
    let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
    if url.scheme == "http", !loopback, !insecure {
        throw ValidationError(
            "\(text) is plain http, which would send your password and token in clear; use https://\(host)\(url.port.map { ":\($0)" } ?? ""), or add --insecure on a network you trust"
        )
    }
    return url
}

/// Runs a command body and turns failures into one line on standard error with the documented exit code,
/// never a stack trace.
func reporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ClientError {
        fail("\(error)", code: error.isUnreachable ? 3 : 1)
    } catch let error as SyncError {
        switch error {
        case .transient: fail("\(error)", code: 3)
        default: fail("\(error)", code: 1)
        }
    } catch let error as ValidationError {
        fail(error.message, code: 2)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        // A failure of the replica file or an unexpected answer: one line, never a trace.
        fail("\(error)", code: 1)
    }
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("accord: \(message)\n".utf8))
    Foundation.exit(code)
}

extension ClientError {
    var isUnreachable: Bool {
        switch self {
        case .serverUnreachable, .offline: true
        default: false
        }
    }
}
