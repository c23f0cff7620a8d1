import AccordServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging

@main
struct AccordServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-server",
        abstract: "The Accord server: one source of truth for definitions, KPIs and decisions, per organization.",
        subcommands: [Serve.self, Migrate.self, Admin.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database and serve the HTTP API.")

    @OptionGroup var options: ServerOptions

    @Flag(help: "On first start, create a demo consultancy with two client organizations.")
    var seedDemo = false

    func run() async throws {
        let configuration = try options.configuration()
        let logger = options.logger(configuration)
        let server = try await reportingFailure { try await AccordServer.prepare(configuration, logger: logger) }
        let api = server.api
        let seedDemo = seedDemo
        let app = server.application(
            beforeStart: {
                if seedDemo, try await api.seedDemoIfNeeded() {
                    say("Seeded the demo: log in as \(DemoData.consultantEmail) with password \(DemoData.password)")
                    say("  organizations: northwind (the consultancy), acme and globex (its clients)")
                }
            },
            onListening: { url in
                say("Accord is serving \(url)  (health: \(url)/ready, API description: \(url)/openapi.yaml)")
            }
        )
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations and exit.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let configuration = try options.configuration()
        let server = try await reportingFailure { try await AccordServer.prepare(configuration, logger: options.logger(configuration)) }
        server.setup.embedded?.stop()
        print("The database is up to date.")
    }
}

/// Runs a start-up step, turning its failure into one readable line and exit status 1.
func reportingFailure<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ValidationError {
        throw error
    } catch {
        FileHandle.standardError.write(Data("accord-server: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Prints a line at once, unbuffered, so a script reading the output sees it while the server runs.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
