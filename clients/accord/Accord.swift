import AccordClient
import ArgumentParser
import Foundation

@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord's terminal client: one source of truth for your organizations' definitions, KPIs and decisions.",
        subcommands: [Login.self, Logout.self, Whoami.self, Orgs.self]
    )
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON.")
    var json = false

    var home: AccordHome { AccordHome.fromEnvironment() }

    /// The stored credentials, or the error that tells the user to log in.
    func credentials() throws -> Credentials {
        guard let credentials = try home.credentials.load() else { throw ClientError.notLoggedIn }
        return credentials
    }
}

/// Runs a command body, turning client errors into one line on standard error and exit status 1 (3 when the
/// server cannot be reached), never a stack trace.
func reporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("accord: \(error)\n".utf8))
        if case .serverUnreachable = error { throw ExitCode(3) }
        throw ExitCode.failure
    }
}

/// Writes `value` as pretty JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
