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

    /// The caller's organizations in name order, each read in its own tenant transaction, with the packs each
    /// took against their latest versions.
    func portfolio(of identity: Identity, logger: Logger) async throws -> [PortfolioEntry] {
        let memberships = try await organizations.memberships(of: identity, logger: logger)
        var adoptions: [UUID: [PackDrift.Adoption]] = [:]
        for membership in memberships {
            adoptions[membership.organization.id] = try await self.adoptions(in: membership.organization.id.lowercasedText, as: identity, logger: logger)
        }
        let latest = try await latestPacks(adoptions.values.flatMap { $0 }, memberships: memberships, as: identity, logger: logger)
        var entries: [PortfolioEntry] = []
        for membership in memberships {
            let organization = membership.organization
            let taken = adoptions[organization.id] ?? []
            let (standing, packs) = try await organizations.inOrganization(organization.id.lowercasedText, as: identity, logger: logger) { tx, access in
                let standing = try await self.standing(access, tx).standing
                guard !taken.isEmpty else { return (standing, [PackStanding]()) }
                let setup = try await self.setup(organization.id, tx)
                return (standing, PackContents.standings(adoptions: taken, latest: latest, current: setup))
            }
            entries.append(PortfolioEntry(id: organization.id, slug: organization.slug, name: organization.name, role: membership.role, standing: standing, packs: packs))
        }
        return entries
    }

    /// Each pack the organization `org` (slug or id) took, with its drift where the caller can read the pack.
    func packReports(in org: String, as identity: Identity, logger: Logger) async throws -> [PackReport] {
        let taken = try await adoptions(in: org, as: identity, logger: logger)
        guard !taken.isEmpty else { return [] }
        let memberships = try await organizations.memberships(of: identity, logger: logger)
        let latest = try await latestPacks(taken, memberships: memberships, as: identity, logger: logger)
        return try await organizations.inOrganization(org, as: identity, logger: logger) { tx, access in
            PackContents.reports(adoptions: taken, latest: latest, current: try await self.setup(access.organization.id, tx))
        }
    }

    private func adoptions(in org: String, as identity: Identity, logger: Logger) async throws -> [PackDrift.Adoption] {
        try await organizations.inOrganization(org, as: identity, logger: logger) { tx, access in
            try await governance.live(CollectionSchema.packAdoptions.name, org: access.organization.id, in: tx).compactMap { PackDrift.Adoption(id: $0.key, fields: $0.value) }
        }
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

    /// The organization's setup as export reads it, from `tx`.
    func setup(_ org: UUID, _ tx: Transaction) async throws -> OrgSetup {
        var loaded: [String: [UUID: RecordFields]] = [:]
        for name in SetupKind.all.map(\.collection) + [CollectionSchema.definitionVersions.name] { loaded[name] = try await governance.live(name, org: org, in: tx) }
        return try OrgSetup.read(catalog: catalog) { loaded[$0] ?? [:] }
    }

    /// Where the organization stands for the caller, and its governance records, read in `tx`.
    func standing(_ access: OrganizationAccess, _ tx: Transaction) async throws -> (standing: OrgStanding, data: GovernanceData) {
        let org = access.organization.id
        let load = loader(org, tx)
        let spine = try await KPISpine(asOf: governance.now(), load: load)
        let data = try await governance.data(org: org, in: tx)
        let reviews = ReviewView.all(reviews: try await load(CollectionSchema.reviews.name), items: try await load(CollectionSchema.reviewItems.name))
        let waiting = Inbox.items(for: governance.member(access, in: data), in: data, now: governance.now())
        return (OrgStanding.compute(spine: spine, reviews: reviews, proposals: data.openProposals, waiting: waiting), data)
    }
}
