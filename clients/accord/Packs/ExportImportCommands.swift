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

    struct Line: Encodable {
        var action: String
        var kind: String
        var name: String
        var fields: [String]
        var refused: String?
    }

    func run() async throws {
        try await reporting {
            let directory = URL(fileURLWithPath: dir)
            let (wanted, places) = try readFiles(directory)
            let organization = try options.organization()
            let replica = try options.replica(for: organization)
            let current = try OrgSetup.read(catalog: options.catalog) { name in try replica.records(name).reduce(into: [:]) { $0[$1.id] = $1.fields } }
            let plan: SetupPlan
            do {
                plan = try SetupPlan.make(wanted: wanted, current: current, catalog: options.catalog, rationale: rationale ?? "Imported from \(directory.lastPathComponent).")
            } catch let error as SetupPlan.Problem {
                try? replica.close()
                let place = error.field.flatMap { places[error.kind]?["\(error.name)\u{0}\($0)"] } ?? places[error.kind]?[error.name]
                throw ClientError.invalidInput(SetupFiles.Problem(place: place, message: error.description).description + "; nothing was queued")
            }
            // The changes are made first on a copy of the replica, so the rules judge each as the real import
            // would; what they refuse is reported and, for real, left out.
            let actor = replica.actor
            try replica.close()
            let lines = try await trial(plan, organization: organization, actor: actor)
            if !dryRun {
                let refused = Set(lines.filter { $0.refused != nil }.map { "\($0.kind)\u{0}\($0.name)" })
                let replica = try options.replica(for: organization)
                defer { try? replica.close() }
                for step in plan.steps where !refused.contains("\(step.kind)\u{0}\(step.name)") { _ = try await Self.make(step, in: replica) }
            }
            if options.json { return try printJSON(lines) }
            ImportPrinter().print(lines, dryRun: dryRun, organization: organization.slug)
        }
    }

    /// The plan made on a throwaway copy of the organization's replica: each step with what the rules refused.
    private func trial(_ plan: SetupPlan, organization: KnownOrganization, actor: RuleActor?) async throws -> [Line] {
        let original = options.home.replicaFile(for: organization.id).path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("accord-import-\(UUID().uuidString.prefix(8)).sqlite")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: original + suffix) {
            try FileManager.default.copyItem(atPath: original + suffix, toPath: scratch.path + suffix)
        }
        defer { try? Replica.remove(at: scratch) }
        let copy = try Replica(at: scratch, organization: organization.id, catalog: options.catalog, actor: actor)
        defer { try? copy.close() }
        var lines: [Line] = []
        for step in plan.steps {
            let refused = try await Self.make(step, in: copy)
            lines.append(Line(action: refused == nil ? step.action.rawValue : "refused", kind: step.kind, name: step.name, fields: step.fields, refused: refused))
        }
        return lines
    }

    /// Makes a step's changes in `replica`; the first reason its rules refuse one, if any.
    private static func make(_ step: SetupPlan.Step, in replica: Replica) async throws -> String? {
        var refused: String?
        for change in step.changes {
            let written = change.operation == .create
                ? try await replica.create(change.collection, change.fields, id: change.recordID)
                : try await replica.update(change.collection, change.recordID, change.fields)
            if refused == nil { refused = written.warning?.reason }
        }
        return refused
    }

    private func readFiles(_ directory: URL) throws -> (OrgSetup, [String: [String: SetupFiles.Place]]) {
        do {
            return try SetupFiles.read(directory)
        } catch let problem as SetupFiles.Problem {
            throw ClientError.invalidInput(problem.description + "; nothing was queued")
        }
    }
}

/// The plan as a table, unchanged records counted rather than listed.
struct ImportPrinter {
    func print(_ lines: [ImportCommand.Line], dryRun: Bool, organization: String) {
        let shown = lines.filter { $0.action != SetupPlan.Action.unchanged.rawValue }
        if !shown.isEmpty {
            TableWriter.show(
                [.literal("ACTION"), .literal("KIND"), .text("NAME", required: true, minimum: 10, maximum: 40), .text("FIELDS", minimum: 10, maximum: 60)],
                shown.map { [$0.action, $0.kind, $0.name, $0.fields.joined(separator: ", ")] }
            )
        }
        // Reasons in full: they say who can help.
        for line in lines {
            guard let reason = line.refused else { continue }
            for (index, text) in Wrapping.lines("\(line.kind) \(line.name): \(reason)", width: max(Terminal.width - 4, 20)).enumerated() {
                Swift.print((index == 0 ? "  ✖ " : "    ") + text)
            }
        }
        let unchanged = lines.count - shown.count
        let refused = lines.count { $0.action == "refused" }
        var summary = "\(shown.count - refused) to change, \(unchanged) unchanged, \(refused) the rules refuse"
        summary += dryRun ? "; dry run: nothing was queued." : "; queued in \(organization): accord sync sends them."
        Swift.print(summary)
    }
}
