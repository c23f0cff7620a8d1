import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct PortfolioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract: "Every organization you belong to: KPIs off track or at risk, open reviews, what waits for you; from the local replicas, offline."
    )

    @Option(help: ArgumentHelp("KPIs needing attention to list per organization.", valueName: "count"))
    var top = 3

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let config = try options.home.loadConfig()
            guard !config.organizations.isEmpty else { throw ClientError.invalidInput("no organizations known yet: run accord orgs") }
            var entries: [PortfolioEntry] = []
            var unsynced: [String] = []
            for organization in config.organizations.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
                guard FileManager.default.fileExists(atPath: options.home.replicaFile(for: organization.id).path) else {
                    unsynced.append(organization.slug)
                    continue
                }
                let replica = try options.replica(for: organization)
                let standing = try await replica.standing()
                let syncedAt = try replica.status().lastSuccessAt
                let taken = try replica.records(CollectionSchema.packAdoptions.name).compactMap { PackDrift.Adoption(id: $0.id, fields: $0.fields) }
                try replica.close()
                let packs = taken.isEmpty ? [] : PackContents.standings(adoptions: taken, latest: try latestPacks(taken, config: config), current: try options.setup(of: organization))
                entries.append(PortfolioEntry(
                    id: organization.id, slug: organization.slug, name: organization.name, role: organization.role, standing: standing, packs: packs, syncedAt: syncedAt
                ))
            }
            if options.json { return try printJSON(entries) }
            PortfolioPrinter(top: max(top, 0)).print(entries, unsynced: unsynced)
        }
    }
}

extension PortfolioCommand {
    /// The latest version of each pack `taken` names, from the replica of the organization that publishes it.
    func latestPacks(_ taken: [PackDrift.Adoption], config: ClientConfig) throws -> [UUID: (version: Int, contents: PackContents)] {
        var latest: [UUID: (version: Int, contents: PackContents)] = [:]
        for (pack, slug) in Dictionary(taken.map { ($0.packID, $0.sourceOrg) }, uniquingKeysWith: { first, _ in first }) {
            guard let source = config.organizations.first(where: { $0.slug == slug }),
                  FileManager.default.fileExists(atPath: options.home.replicaFile(for: source.id).path) else { continue }
            let replica = try options.replica(for: source)
            defer { try? replica.close() }
            latest[pack] = PackContents.latest(of: pack, in: try replica.records(CollectionSchema.packVersions.name).reduce(into: [:]) { $0[$1.id] = $1.fields })
        }
        return latest
    }
}

/// One table of every organization, then what needs attention in each.
struct PortfolioPrinter {
    var top: Int

    func print(_ entries: [PortfolioEntry], unsynced: [String]) {
        if !entries.isEmpty {
            TableWriter.show(
                [.literal("ORG"), .literal("ROLE", required: false), .literal("OFF"), .literal("RISK"), .literal("ON TRACK"), .literal("REVIEWS"),
                 .literal("PROPOSED"), .literal("WAITING"), .literal("SYNCED", required: false)],
                entries.map { entry in
                    let standing = entry.standing
                    return [entry.slug, entry.role.rawValue, "\(standing.offTrack)", "\(standing.attention.count - standing.offTrack)",
                            "\(standing.onTrack)/\(standing.judged)", "\(standing.openReviews.count)", "\(standing.proposals.count)", "\(standing.waiting.count)",
                            entry.syncedAt.map(CalendarDate.text) ?? "never"]
                }
            )
        }
        for entry in entries where !entry.standing.attention.isEmpty || !entry.standing.waiting.isEmpty || !entry.packs.isEmpty || !entry.standing.proposals.isEmpty {
            Swift.print("\n\(entry.name) (\(entry.slug))")
            for line in entry.standing.attention.prefix(top) {
                let numbers = "\(KPIText.number(line.reading.actual, unit: line.unit)) of \(KPIText.number(line.reading.target, unit: line.unit))"
                say("\(KPIText.status(line.reading.status))  \(line.name), \(numbers) in \(line.period)")
            }
            if entry.standing.attention.count > top { say("and \(entry.standing.attention.count - top) more: accord kpis --org \(entry.slug)") }
            for review in entry.standing.openReviews {
                say("open: \(review.cadence) review of \(review.period), \(review.undecided) of \(review.items) to decide")
            }
            for pack in entry.packs {
                let unknown = pack.latest == nil ? " (\(pack.sourceOrg) not synced here: accord sync --org \(pack.sourceOrg))" : ""
                say("pack \(pack.pack): \(pack.summary)\(unknown)")
            }
            if !entry.standing.proposals.isEmpty {
                say("proposed, waiting for a decision: \(entry.standing.proposals.joined(separator: ", "))")
            }
            if !entry.standing.waiting.isEmpty {
                say("waiting for you: \(entry.standing.waiting.count) (accord inbox --org \(entry.slug))")
            }
        }
        if !unsynced.isEmpty {
            Swift.print("")
            say("Not synced here yet: \(unsynced.joined(separator: ", ")); accord sync --org <org> fetches one.", indent: "")
        }
    }

    /// A line indented under its organization, wrapped to the terminal with its continuation indented further.
    private func say(_ text: String, indent: String = "  ") {
        for (index, line) in Wrapping.lines(text, width: max(Terminal.width - indent.count - 2, 20)).enumerated() {
            Swift.print((index == 0 ? indent : indent + "  ") + line)
        }
    }
}
