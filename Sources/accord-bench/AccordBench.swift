import AccordServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO

#if canImport(Glibc)
import Glibc
#endif

@main
struct AccordBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-bench",
        abstract: "Measures Accord against the same machine's fastest way to do the same job; scripts/bench runs it.",
        subcommands: [RunCommand.self, ServeCommand.self, ClientCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// The server under test, in a process of its own so its memory is measured alone.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve Accord with the benchmark collection (internal).")

    @Option(help: "The owner role's database URL; it runs the migrations.")
    var databaseURL: String

    @Option(help: "The application role's database URL.")
    var appDatabaseURL: String

    @Flag(help: "Seed the demo organizations before listening, for the web pages.")
    var seedDemo = false

    func run() async throws {
        raiseFileLimit()
        exitWithParent()
        var configuration = ServerConfiguration(
            databaseURL: databaseURL, applicationDatabaseURL: appDatabaseURL, port: 0, logLevel: .error, bcryptCost: 4
        )
        // The fan-out scenario holds every stream under one account; it measures fan-out, not the caps.
        configuration.streamLimits = StreamLimits(total: 1_000_000, perUser: 1_000_000)
        let server = try await AccordServer.prepare(configuration, catalog: BenchCollection.catalog, logger: benchLogger)
        let (api, seedDemo) = (server.api, seedDemo)
        let application = server.application(beforeStart: { if seedDemo { _ = try await api.seedDemoIfNeeded() } }, onListening: { url in
            FileHandle.standardOutput.write(Data("listening \(url)\n".utf8))
        })
        try await application.runService()
    }
}

/// One measurement in a client process of its own (internal): reads a job, prints its result as JSON.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Run one measurement job (internal).")

    @Argument(help: "The job, as JSON.")
    var job: String

    func run() async throws {
        raiseFileLimit()
        exitWithParent()
        let job = try JSONDecoder().decode(Job.self, from: Data(job.utf8))
        let result = try await job.run()
        FileHandle.standardOutput.write(Data(("result " + String(decoding: try JSONEncoder().encode(result), as: UTF8.self) + "\n").utf8))
    }
}

/// A child that outlives its driver (killed, or crashed) would hold its port and database: it ends instead.
func exitWithParent() {
    let parent = getppid()
    Thread.detachNewThread {
        while getppid() == parent { Thread.sleep(forTimeInterval: 1) }
        exit(1)
    }
}
