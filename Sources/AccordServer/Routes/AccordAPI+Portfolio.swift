import AccordCore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

extension AccordAPI {
    /// Every organization the caller belongs to, with where it stands for them.
    func addPortfolioRoutes(to v1: RouterGroup<Context>) {
        v1.get("me/portfolio") { _, context -> [PortfolioEntry] in
            try await portfolio(of: try context.requireIdentity(), logger: context.logger)
        }
    }

    /// The caller's organizations in name order, each read in its own tenant transaction.
    func portfolio(of identity: Identity, logger: Logger) async throws -> [PortfolioEntry] {
        var entries: [PortfolioEntry] = []
        for membership in try await organizations.memberships(of: identity, logger: logger) {
            let standing = try await organizations.inOrganization(membership.organization.id.lowercasedText, as: identity, logger: logger) { tx, access in
                try await self.standing(access, tx).standing
            }
            let organization = membership.organization
            entries.append(PortfolioEntry(id: organization.id, slug: organization.slug, name: organization.name, role: membership.role, standing: standing))
        }
        return entries
    }

    /// Where the organization stands for the caller, and its governance records, read in `tx`.
    func standing(_ access: OrganizationAccess, _ tx: Transaction) async throws -> (standing: OrgStanding, data: GovernanceData) {
        let org = access.organization.id
        let load = loader(org, tx)
        let spine = try await KPISpine(asOf: governance.now(), load: load)
        let data = try await governance.data(org: org, in: tx)
        let reviews = ReviewView.all(reviews: try await load(CollectionSchema.reviews.name), items: try await load(CollectionSchema.reviewItems.name))
        let waiting = Inbox.items(for: governance.member(access, in: data), in: data, now: governance.now())
        return (OrgStanding.compute(spine: spine, reviews: reviews, waiting: waiting), data)
    }
}
