import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct PacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packs",
        abstract: "Template packs: publish a versioned setup in your consultancy, apply it to clients, see drift, upgrade.",
        discussion: "A pack lives in the organization it was published in; client organizations remember which version each record came from.",
        subcommands: [Publish.self, Apply.self, Drift.self, Upgrade.self]
    )

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish the next version of a pack: the organization's setup, or the files in --from.")

        @Argument(help: "The pack's name.")
        var name: String

        @Option(help: ArgumentHelp("Setup files to publish (what accord export writes) instead of the organization's setup.", valueName: "dir"))
        var from: String?

        @Option(help: "What this version changes.")
        var notes: String?

        @OptionGroup var options: GlobalOptions

        struct Output: Encodable {
            var pack: String
            var version: Int
            var records: Int
        }

        func run() async throws {
            try await reporting {
                let organization = try options.organization()
                let records: [String: [String: OrgSetup.Fields]]
                if let from {
                    do {
                        records = try SetupFiles.read(URL(fileURLWithPath: from)).setup.records
                    } catch let problem as SetupFiles.Problem {
                        throw ClientError.invalidInput(problem.description + "; nothing was published")
                    }
                } else {
                    records = try options.setup(of: organization).records
                }
                let replica = try options.replica(for: organization)
                defer { try? replica.close() }
                let existing = try replica.records(CollectionSchema.packs.name).first { $0.fields.text("name")?.caseInsensitiveCompare(name) == .orderedSame }
                var pack = existing?.id ?? UUID()
                if existing == nil { pack = try await replica.create(CollectionSchema.packs.name, ["name": .text(name)], id: pack).id }
                let reference = "\(CollectionSchema.packs.name)/\(pack.lowercasedText)"
                let latest = try replica.records(CollectionSchema.packVersions.name, where: ["pack": [reference]]).compactMap { RecordedMeasurement.number($0.fields["version"]) }.max() ?? 0
                let version = Int(latest) + 1
                let written = try await replica.create(CollectionSchema.packVersions.name, [
                    "pack": .reference(CollectionSchema.packs.name, pack), "version": .int(Int64(version)),
                    "contents": .text(PackContents(records: records).json), "notes": notes.map(FieldValue.text) ?? .null,
                ])
                if let warning = written.warning { throw ClientError.invalidInput(warning.reason) }
                let count = records.values.map(\.count).reduce(0, +)
                if options.json { return try printJSON(Output(pack: name, version: version, records: count)) }
                print("Published \(name) version \(version) in \(organization.slug): \(count) records (queued; accord sync sends it).")
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply a pack's latest version to an organization: its records, as proposals where governance asks.")

        @Argument(help: "The pack's name.")
        var pack: String

        @Option(help: ArgumentHelp("The organization the pack was published in (default: the synced one that has it).", valueName: "org"))
        var packOrg: String?

        @Flag(help: "Print the plan and queue nothing.")
        var dryRun = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let source = try options.pack(pack, in: packOrg)
                let organization = try options.organization()
                guard organization.id != source.organization.id else { throw ClientError.invalidInput("\(pack) is \(organization.slug)'s own pack; apply it to a client with --org <client>") }
                let current = try options.setup(of: organization)
                var wanted = current
                for (kind, records) in source.contents.records { for (name, fields) in records { wanted.records[kind, default: [:]][name] = fields } }
                let plan = try Self.plan(wanted: wanted, current: current, options: options, rationale: "From \(source.name) version \(source.latest).")
                let adopted = Dictionary(try options.adoptions(of: source.id, in: organization).map { ("\($0.kind)\u{0}\($0.name)", $0) }) { first, _ in first }
                let lines = try await SetupApplier(options: options, organization: organization).run(plan, dryRun: dryRun) { step in
                    guard let fields = source.contents.records[step.kind]?[step.name] else { return [] }
                    return [source.adoption(kind: step.kind, name: step.name, fields: fields, existing: adopted["\(step.kind)\u{0}\(step.name)"])]
                }
                if options.json { return try printJSON(lines) }
                SetupApplier.print(lines, dryRun: dryRun, organization: organization.slug)
            }
        }

        static func plan(wanted: OrgSetup, current: OrgSetup, options: GlobalOptions, rationale: String) throws -> SetupPlan {
            do {
                return try SetupPlan.make(wanted: wanted, current: current, catalog: options.catalog, rationale: rationale)
            } catch {
                throw ClientError.invalidInput("the pack's \(error); nothing was queued")
            }
        }
    }

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "For every synced organization using a pack: what matches, what it changed, what the pack changed since.")

        @Argument(help: "The pack's name.")
        var pack: String

        @Option(help: ArgumentHelp("The organization the pack was published in.", valueName: "org"))
        var packOrg: String?

        @OptionGroup var options: GlobalOptions

        struct OrgDrift: Encodable {
            var org: String
            var drift: PackDrift
        }

        func run() async throws {
            try await reporting {
                let source = try options.pack(pack, in: packOrg)
                var found: [OrgDrift] = []
                for organization in try options.home.loadConfig().organizations.sorted(by: { $0.slug < $1.slug })
                where organization.id != source.organization.id && FileManager.default.fileExists(atPath: options.home.replicaFile(for: organization.id).path) {
                    let adoptions = try options.adoptions(of: source.id, in: organization)
                    guard !adoptions.isEmpty else { continue }
                    let drift = PackDrift.compute(pack: source.name, latest: source.contents, latestVersion: source.latest, adoptions: adoptions, current: try options.setup(of: organization))
                    found.append(OrgDrift(org: organization.slug, drift: drift))
                }
                if options.json { return try printJSON(found) }
                guard !found.isEmpty else { return print("No synced organization uses \(source.name) yet; accord packs apply \(source.name) --org <client> applies it.") }
                for entry in found { DriftPrinter(width: Terminal.width).print(entry.org, entry.drift) }
            }
        }
    }

    struct Upgrade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose a pack's changes since the version an organization took; fields it changed itself stay, and one both changed is a conflict."
        )

        @Argument(help: "The pack's name.")
        var pack: String

        @Option(help: ArgumentHelp("The organization the pack was published in.", valueName: "org"))
        var packOrg: String?

        @Flag(help: "Print the plan and queue nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("Settle the conflicts: pack takes the pack's values, ours keeps this organization's.", valueName: "pack|ours"))
        var take: String?

        @OptionGroup var options: GlobalOptions

        struct Output: Encodable {
            var plan: [SetupApplier.Line]
            var conflicts: [PackDrift.Record]
        }

        func run() async throws {
            try await reporting {
                let source = try options.pack(pack, in: packOrg)
                let organization = try options.organization()
                let adoptions = try options.adoptions(of: source.id, in: organization)
                guard !adoptions.isEmpty else { throw ClientError.invalidInput("\(organization.slug) does not use \(source.name); accord packs apply \(source.name) applies it") }
                guard take == nil || take == "pack" || take == "ours" else { throw ClientError.invalidInput("--take is pack or ours, not \(take ?? "")") }
                let current = try options.setup(of: organization)
                let drift = PackDrift.compute(pack: source.name, latest: source.contents, latestVersion: source.latest, adoptions: adoptions, current: current)
                let wanted = drift.upgraded(current, takingPack: take == "pack")
                let plan = try Apply.plan(wanted: wanted, current: current, options: options, rationale: "From \(source.name) version \(source.latest).")
                let adopted = Dictionary(adoptions.map { ("\($0.kind)\u{0}\($0.name)", $0) }) { first, _ in first }
                // A record with a conflict keeps its old base, so it shows as a conflict until someone decides it.
                let settled = Set(drift.records.filter { record in
                    (record.conflicts.isEmpty || take != nil) && record.state != .removedFromPack && (record.version ?? 0) < source.latest
                }.map { "\($0.kind)\u{0}\($0.name)" })
                let lines = try await SetupApplier(options: options, organization: organization).run(plan, dryRun: dryRun) { step in
                    let key = "\(step.kind)\u{0}\(step.name)"
                    guard settled.contains(key), let fields = source.contents.records[step.kind]?[step.name] else { return [] }
                    return [source.adoption(kind: step.kind, name: step.name, fields: fields, existing: adopted[key])]
                }
                let conflicts = take == nil ? drift.records.filter { !$0.conflicts.isEmpty } : []
                if options.json { return try printJSON(Output(plan: lines, conflicts: conflicts)) }
                SetupApplier.print(lines, dryRun: dryRun, organization: organization.slug)
                for record in conflicts { DriftPrinter(width: Terminal.width).conflicts(record, version: source.latest) }
            }
        }
    }
}
