import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the organization's definitions, KPIs, targets, rights, dashboards and strategy as YAML files, offline."
    )

    @Option(help: ArgumentHelp("The folder to write (default: <org>-setup).", valueName: "dir"))
    var dir: String?

    @OptionGroup var options: GlobalOptions

    struct Output: Encodable {
        var directory: String
        var files: [String]
        var records: [String: Int]
    }

    func run() async throws {
        try await reporting {
            let organization = try options.organization()
            let replica = try options.replica(for: organization)
            defer { try? replica.close() }
            let setup = try OrgSetup.read(catalog: options.catalog) { name in try replica.records(name).reduce(into: [:]) { $0[$1.id] = $1.fields } }
            let directory = URL(fileURLWithPath: dir ?? "\(organization.slug)-setup")
            let files = try SetupFiles.write(setup, organization: organization.slug, to: directory)
            let counts = setup.records.mapValues(\.count)
            if options.json { return try printJSON(Output(directory: directory.path, files: files, records: counts)) }
            let total = counts.values.reduce(0, +)
            print("Wrote \(total) records of \(organization.slug) to \(directory.path):")
            for kind in SetupKind.all where counts[kind.name] != nil { print("  \(kind.name).yaml  \(counts[kind.name]!)") }
            print("  \(SetupFiles.lockName)  the ids, for importing back here")
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn setup files into ordinary changes: creates, updates, and proposals for definitions; --dry-run shows the plan."
    )

    @Argument(help: "The folder accord export wrote, or one edited from it.")
    var dir: String

    @Flag(help: "Print the plan, with what the rules would refuse, and queue nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Why, for the proposals it makes.", valueName: "text"))
    var rationale: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let directory = URL(fileURLWithPath: dir)
            let (wanted, places) = try readFiles(directory)
            let organization = try options.organization()
            let current = try options.setup(of: organization)
            let plan: SetupPlan
            do {
                plan = try SetupPlan.make(wanted: wanted, current: current, catalog: options.catalog, rationale: rationale ?? "Imported from \(directory.lastPathComponent).")
            } catch let error as SetupPlan.Problem {
                let place = error.field.flatMap { places[error.kind]?["\(error.name)\u{0}\($0)"] } ?? places[error.kind]?[error.name]
                throw ClientError.invalidInput(SetupFiles.Problem(place: place, message: error.description).description + "; nothing was queued")
            }
            let lines = try await SetupApplier(options: options, organization: organization).run(plan, dryRun: dryRun)
            if options.json { return try printJSON(lines) }
            SetupApplier.print(lines, dryRun: dryRun, organization: organization.slug)
        }
    }

    private func readFiles(_ directory: URL) throws -> (OrgSetup, [String: [String: SetupFiles.Place]]) {
        do {
            return try SetupFiles.read(directory)
        } catch let problem as SetupFiles.Problem {
            throw ClientError.invalidInput(problem.description + "; nothing was queued")
        }
    }
}
