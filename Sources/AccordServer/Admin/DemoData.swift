import AccordCore
import Foundation
import Logging

/// A consultancy and two of its client organizations, for trying Accord out.
public enum DemoData {
    public static let password = "accord-demo-password"
    public static let consultantEmail = "dana@northwind.example"

    struct Person {
        var email: String
        var name: String
    }

    static let consultant = Person(email: consultantEmail, name: "Dana Whitfield")
    static let acmeMarketer = Person(email: "marco@acme.example", name: "Marco Silva")
    static let globexFinance = Person(email: "sofia@globex.example", name: "Sofia Lindqvist")
    static let acmeSales = Person(email: "priya@acme.example", name: "Priya Natarajan")
    static let globexSales = Person(email: "luis@globex.example", name: "Luis Ortega")

    /// Notes each client organization starts with, as the people there would write them.
    static let notes: [String: [RecordFields]] = [
        "acme": [
            ["title": .text("Q3 MQL dip: the Lyon trade show was cancelled"), "body": .text("About 140 MQLs a quarter came from the show; the partner webinars replace part of them."), "pinned": .bool(true)],
            ["title": .text("Sales and Marketing count MQLs differently"), "body": .text("Marketing counts form fills; Sales counts only leads that match the [[ICP tier 1]]. One [[MQL]] definition now settles it.")],
        ],
        "globex": [
            ["title": .text("Pipeline excludes renewals from this quarter on"), "body": .text("Finance asked for new business only; renewals are reported beside it."), "pinned": .bool(true)],
        ],
    ]
}

extension AccordAPI {
    /// Seeds the demo unless its consultant already exists. Returns whether it seeded.
    public func seedDemoIfNeeded() async throws -> Bool {
        let logger = Logger(label: "accord.demo")
        guard try await accounts.user(email: DemoData.consultantEmail, logger: logger) == nil else { return false }
        var users: [String: UserSummary] = [:]
        for person in [DemoData.consultant, DemoData.acmeMarketer, DemoData.globexFinance, DemoData.acmeSales, DemoData.globexSales] {
            users[person.email] = try await accounts.createUser(email: person.email, password: DemoData.password, name: person.name, logger: logger)
        }
        let dana = users[DemoData.consultantEmail]!
        let identity = Identity(userID: dana.id, tokenID: UUID(), email: dana.email, name: dana.name)
        _ = try await organizations.create(name: "Northwind Advisory", slug: "northwind", as: identity, logger: logger)
        try await directoryChanged("northwind", as: identity, logger: logger)
        let clients: [(name: String, slug: String, member: DemoData.Person, role: MemberRole, team: StandardTeam, sales: DemoData.Person)] = [
            ("Acme Robotics", "acme", DemoData.acmeMarketer, .editor, .marketing, DemoData.acmeSales),
            ("Globex Health", "globex", DemoData.globexFinance, .admin, .finance, DemoData.globexSales),
        ]
        for client in clients {
            _ = try await organizations.create(name: client.name, slug: client.slug, as: identity, logger: logger)
            try await organizations.inOrganization(client.slug, as: identity, logger: logger) { tx, access in
                _ = try await memberships.update(dana.email, with: UpdateMemberRequest(teams: [StandardTeam.revOps.rawValue]), in: tx, access: access)
                _ = try await memberships.add(
                    AddMemberRequest(email: client.member.email, role: client.role, teams: [client.team.rawValue]), in: tx, access: access
                )
                _ = try await memberships.add(
                    AddMemberRequest(email: client.sales.email, role: .editor, teams: [StandardTeam.sales.rawValue]), in: tx, access: access
                )
            }
            try await directoryChanged(client.slug, as: identity, logger: logger)
            try await write((DemoData.notes[client.slug] ?? []).map { FollowUp(.create, "notes", UUID(), $0) }, in: client.slug, as: identity, logger: logger)
            func acting(_ person: DemoData.Person) -> Identity {
                let user = users[person.email]!
                return Identity(userID: user.id, tokenID: UUID(), email: user.email, name: user.name)
            }
            try await DemoGovernance(
                api: self, slug: client.slug, owner: identity, proposer: acting(client.member),
                pendingProposer: client.team == .marketing ? acting(client.member) : identity,
                fiscalYearStartMonth: client.slug == "globex" ? 2 : 1, logger: logger
            ).seed()
        }
        try await DemoPack(api: self, consultancy: "northwind", clients: clients.map(\.slug), owner: identity, logger: logger).seed()
        return true
    }

    /// Makes `changes` in one transaction of the organization `slug`, each through the write path, as `person`.
    func write(_ changes: [FollowUp], in slug: String, as person: Identity, logger: Logger) async throws {
        guard !changes.isEmpty else { return }
        let (org, head) = try await organizations.inOrganization(slug, as: person, logger: logger) { tx, access in
            var head: Int64 = 0
            for change in changes { head = try await records.write(change, ifMatch: nil, access: access, in: tx).head }
            return (access.organization.id, head)
        }
        heads.advance(org, to: head)
    }
}
