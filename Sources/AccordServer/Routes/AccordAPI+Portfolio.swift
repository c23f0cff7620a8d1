import AccordCore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

extension AccordAPI {
    /// Every organization the caller belongs to, with where it stands for them; and each pack an organization
    /// took, record by record against its latest version.
    func addPortfolioRoutes(to v1: RouterGroup<Context>) {
        v1.get("me/portfolio") { _, context -> [PortfolioEntry] in
            try await portfolio(of: try context.requireIdentity(), logger: context.logger)
        }
        v1.get("orgs/:org/packs/drift") { _, context -> [PackReport] in
            try await packReports(in: try Self.orgSlug(context), as: try context.requireIdentity(), logger: context.logger)
        }
    }

    /// How many organizations a portfolio reads at once.
    static let organizationsReadTogether = 4

    /// The caller's organizations in name order, each read in one tenant transaction of its own, with the packs
    /// each took against their latest versions.
    func portfolio(of identity: Identity, logger: Logger) async throws -> [PortfolioEntry] {
        let memberships = try await organizations.memberships(of: identity, logger: logger)
        // A few organizations are read side by side, each on a connection of its own, so the page waits less than
        // for all of them in turn while a consultant with fifty clients still leaves the pool to others.
        let read = try await withThrowingTaskGroup(of: (Int, OrgStanding, TakenPacks).self) { group in
            var pending = memberships.enumerated().makeIterator()
            func readNext() {
                guard let (index, membership) = pending.next() else { return }
                group.addTask {
                    try await organizations.inOrganization(membership.organization.id.lowercasedText, as: identity, logger: logger) { tx, access in
                        let records = OrganizationRecords(access.organization.id, governance: governance, in: tx)
                        return (index, try await self.standing(access, records).standing, try await self.takenPacks(records))
                    }
                }
            }
            for _ in 0..<Self.organizationsReadTogether { readNext() }
            var read: [Int: (OrgStanding, TakenPacks)] = [:]
            while let (index, standing, packs) = try await group.next() {
                read[index] = (standing, packs)
                readNext()
            }
            return read
        }
        let latest = try await latestPacks(read.values.flatMap(\.1.adoptions), memberships: memberships, as: identity, logger: logger)
        return memberships.enumerated().compactMap { index, membership in
            guard let (standing, packs) = read[index] else { return nil }
            let organization = membership.organization
            return PortfolioEntry(
                id: organization.id, slug: organization.slug, name: organization.name, role: membership.role, standing: standing,
                packs: packs.reports(latest: latest).map(\.standing)
            )
        }
    }

    /// Each pack the organization `org` (slug or id) took, with its drift where the caller can read the pack.
    func packReports(in org: String, as identity: Identity, logger: Logger) async throws -> [PackReport] {
        let taken = try await organizations.inOrganization(org, as: identity, logger: logger) { tx, access in
            try await takenPacks(OrganizationRecords(access.organization.id, governance: governance, in: tx))
        }
        return try await packReports(taken, as: identity, logger: logger)
    }

    /// The packs in `taken` against their latest versions.
    func packReports(_ taken: TakenPacks, as identity: Identity, logger: Logger) async throws -> [PackReport] {
        guard !taken.adoptions.isEmpty else { return [] }
        let memberships = try await organizations.memberships(of: identity, logger: logger)
        return taken.reports(latest: try await latestPacks(taken.adoptions, memberships: memberships, as: identity, logger: logger))
    }

    /// The packs an organization took and, when it took any, its setup to compare them with.
    struct TakenPacks: Sendable {
        var adoptions: [PackDrift.Adoption]
        var setup: OrgSetup?

        func reports(latest: [UUID: (version: Int, contents: PackContents)]) -> [PackReport] {
            guard let setup else { return [] }
            return PackContents.reports(adoptions: adoptions, latest: latest, current: setup)
        }
    }

    func takenPacks(_ records: OrganizationRecords) async throws -> TakenPacks {
        let adoptions = try await records(CollectionSchema.packAdoptions.name).compactMap { PackDrift.Adoption(id: $0.key, fields: $0.value) }
        return TakenPacks(adoptions: adoptions, setup: adoptions.isEmpty ? nil : try await setup(records))
    }

    /// The latest version of each pack in `taken`, read from the organization that publishes it where the caller
    /// is a member too; a pack from elsewhere has none here.
    private func latestPacks(
        _ taken: [PackDrift.Adoption], memberships: [Membership], as identity: Identity, logger: Logger
    ) async throws -> [UUID: (version: Int, contents: PackContents)] {
        var latest: [UUID: (version: Int, contents: PackContents)] = [:]
        let sources = Dictionary(taken.map { ($0.packID, $0.sourceOrg) }) { first, _ in first }
        for (pack, slug) in sources {
            guard let source = memberships.first(where: { $0.organization.slug == slug })?.organization.id else { continue }
            latest[pack] = try await organizations.inOrganization(source.lowercasedText, as: identity, logger: logger) { tx, _ in
                PackContents.latest(of: pack, in: try await governance.live(CollectionSchema.packVersions.name, org: source, in: tx))
            }
        }
        return latest
    }

    /// The organization's setup as export reads it.
    func setup(_ records: OrganizationRecords) async throws -> OrgSetup {
        var loaded: [String: [UUID: RecordFields]] = [:]
        for name in SetupKind.all.map(\.collection) + [CollectionSchema.definitionVersions.name] { loaded[name] = try await records(name) }
        return try OrgSetup.read(catalog: catalog) { loaded[$0] ?? [:] }
    }

    /// Where the organization stands for the caller, and its governance records.
    func standing(_ access: OrganizationAccess, _ records: OrganizationRecords) async throws -> (standing: OrgStanding, data: GovernanceData) {
        let spine = try await KPISpine(asOf: governance.now()) { try await records($0) }
        let data = try await GovernanceData { try await records($0) }
        let reviews = ReviewView.all(reviews: try await records(CollectionSchema.reviews.name), items: try await records(CollectionSchema.reviewItems.name))
        let waiting = Inbox.items(for: governance.member(access, in: data), in: data, now: governance.now())
        return (OrgStanding.compute(spine: spine, reviews: reviews, proposals: data.openProposals, waiting: waiting), data)
    }
}
