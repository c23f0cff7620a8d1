import NIOCore
import Hummingbird
import PostgresNIO
import HummingbirdTesting
import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Testing

@Suite("Organizations, members and teams")
struct OrganizationTests {
    @Test func theCreatorOwnsTheOrganizationWithTheStandardTeams() async throws {
        try await TestServer.with { server in
            let (token, _) = try await server.signup("dana@example.com")
            let org = try await server.createOrganization("Acme Robotics", slug: "acme", token: token)
            for reference in ["acme", org.id.uuidString, org.id.uuidString.lowercased()] {
                let detail = try await server.send(.get, "/v1/orgs/\(reference)", token: token).decode(OrganizationDetail.self)
                #expect(detail.organization == org)
                #expect(detail.role == .owner)
                #expect(detail.memberCount == 1)
                #expect(Set(detail.teams.map(\.name)) == Set(StandardTeam.allCases.map(\.rawValue)))
            }
            let duplicate = try await server.send(.post, "/v1/orgs", token: token, json: CreateOrganizationRequest(name: "Other", slug: "acme"))
            #expect(duplicate.status == .conflict)
            #expect(try duplicate.error.code == "slug_taken")
            let derived = try await server.send(.post, "/v1/orgs", token: token, json: CreateOrganizationRequest(name: "Globex Health, Inc."))
            #expect(try derived.decode(Organization.self).slug == "globex-health-inc")
        }
    }

    @Test func aSlugCanNeverNameAnotherOrganizationById() async throws {
        try await TestServer.with { server in
            let (dana, _) = try await server.signup("dana@example.com")
            let (mallory, _) = try await server.signup("mallory@example.com")
            let acme = try await server.createOrganization("Acme", slug: "acme", token: dana)
            for spelling in [acme.id.uuidString.lowercased(), acme.id.uuidString] {
                let lookalike = try await server.send(.post, "/v1/orgs", token: mallory, json: CreateOrganizationRequest(name: "Lookalike", slug: spelling))
                #expect(lookalike.status == .unprocessableContent, "a slug spelled like an id is refused: \(spelling)")
            }
            let refused = try await server.send(.post, "/v1/orgs", token: mallory, json: CreateOrganizationRequest(name: "Lookalike", slug: acme.id.lowercasedText))
            #expect(try refused.error.message.contains("must not be spelled like an id"), "\(String(buffer: refused.body))")
            // Mallory's own organization is found by slug and by id; Acme's id names Acme alone, which Mallory cannot see.
            let own = try await server.createOrganization("Mallory's", slug: "mallory", token: mallory)
            #expect(try await server.send(.get, "/v1/orgs/\(own.id.uuidString)", token: mallory).decode(OrganizationDetail.self).organization == own)
            #expect(try await server.send(.get, "/v1/orgs/\(acme.id.uuidString.lowercased())", token: mallory).status == .notFound)
        }
    }

    @Test func aConsultantSeesAllTheirMemberships() async throws {
        try await TestServer.with { server in
            let (dana, _) = try await server.signup("dana@example.com")
            let (client, _) = try await server.signup("marco@acme.example")
            _ = try await server.createOrganization("Acme", slug: "acme", token: dana)
            _ = try await server.createOrganization("Globex", slug: "globex", token: dana)
            _ = try await server.createOrganization("Marco's own", slug: "marco", token: client)
            let added = try await server.send(
                .post, "/v1/orgs/marco/members", token: client,
                json: AddMemberRequest(email: "dana@example.com", role: .viewer, teams: ["marketing", "Sales"])
            )
            #expect(added.status == .created)
            let me = try await server.send(.get, "/v1/me", token: dana).decode(MeResponse.self)
            #expect(me.memberships.map(\.organization.slug).sorted() == ["acme", "globex", "marco"])
            let inMarco = try #require(me.memberships.first { $0.organization.slug == "marco" })
            #expect(inMarco.role == .viewer)
            #expect(inMarco.teams == ["Marketing", "Sales"])
        }
    }

    @Test func rolesDecideWhoManagesMembers() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            let (admin, adminUser) = try await server.signup("admin@example.com")
            let (editor, _) = try await server.signup("editor@example.com")
            _ = try await server.signup("viewer@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            for (email, role) in [("admin@example.com", MemberRole.admin), ("editor@example.com", .editor)] {
                let added = try await server.send(.post, "/v1/orgs/acme/members", token: owner, json: AddMemberRequest(email: email, role: role))
                #expect(added.status == .created)
            }
            let byEditor = try await server.send(.post, "/v1/orgs/acme/members", token: editor, json: AddMemberRequest(email: "viewer@example.com", role: .viewer))
            #expect(byEditor.status == .forbidden)
            let ownerByAdmin = try await server.send(.post, "/v1/orgs/acme/members", token: admin, json: AddMemberRequest(email: "viewer@example.com", role: .owner))
            #expect(ownerByAdmin.status == .forbidden)
            let viewerByAdmin = try await server.send(.post, "/v1/orgs/acme/members", token: admin, json: AddMemberRequest(email: "viewer@example.com", role: .viewer, teams: ["Finance"]))
            #expect(viewerByAdmin.status == .created)
            #expect(try viewerByAdmin.decode(Member.self).teams.map(\.name) == ["Finance"])
            let again = try await server.send(.post, "/v1/orgs/acme/members", token: admin, json: AddMemberRequest(email: "viewer@example.com", role: .viewer))
            #expect(again.status == .conflict)

            let promoted = try await server.send(.patch, "/v1/orgs/acme/members/viewer@example.com", token: admin, json: UpdateMemberRequest(role: .editor))
            #expect(try promoted.decode(Member.self).role == .editor)
            let demoteOwner = try await server.send(.patch, "/v1/orgs/acme/members/owner@example.com", token: admin, json: UpdateMemberRequest(role: .viewer))
            #expect(demoteOwner.status == .forbidden)

            let members = try await server.send(.get, "/v1/orgs/acme/members", token: editor).decode([Member].self)
            #expect(members.count == 4)
            #expect(members.first { $0.user.id == adminUser.id }?.role == .admin)
        }
    }

    @Test func twoOwnersDemotingEachOtherAtOnceLeaveAnOwner() async throws {
        try await TestServer.with { server in
            let (a, userA) = try await server.signup("a@example.com")
            let (b, userB) = try await server.signup("b@example.com")
            for round in 0..<5 {
                let slug = "acme-\(round)"
                _ = try await server.createOrganization("Acme", slug: slug, token: a)
                try await server.send(.post, "/v1/orgs/\(slug)/members", token: a, json: AddMemberRequest(email: "b@example.com", role: .owner))
                async let first = server.send(.patch, "/v1/orgs/\(slug)/members/\(userB.id)", token: a, json: UpdateMemberRequest(role: .admin))
                async let second = server.send(.patch, "/v1/orgs/\(slug)/members/\(userA.id)", token: b, json: UpdateMemberRequest(role: .admin))
                let statuses = try await [first.status, second.status]
                let members = try await server.send(.get, "/v1/orgs/\(slug)/members", token: a).decode([Member].self)
                #expect(members.contains { $0.role == .owner }, "round \(round): \(statuses)")
                #expect(statuses.contains(.ok), "one of the two demotions goes through")
            }
        }
    }

    @Test func theLastOwnerCannotLeaveOrBeDemoted() async throws {
        try await TestServer.with { server in
            let (owner, ownerUser) = try await server.signup("owner@example.com")
            let (other, _) = try await server.signup("other@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            let leave = try await server.send(.delete, "/v1/orgs/acme/members/\(ownerUser.id)", token: owner)
            #expect(leave.status == .conflict)
            #expect(try leave.error.code == "last_owner")
            let demote = try await server.send(.patch, "/v1/orgs/acme/members/\(ownerUser.id)", token: owner, json: UpdateMemberRequest(role: .admin))
            #expect(demote.status == .conflict)

            try await server.send(.post, "/v1/orgs/acme/members", token: owner, json: AddMemberRequest(email: "other@example.com", role: .owner))
            #expect(try await server.send(.delete, "/v1/orgs/acme/members/\(ownerUser.id)", token: owner).status == .noContent)
            #expect(try await server.send(.get, "/v1/orgs/acme", token: owner).status == .notFound, "a former member is outside the wall")
            #expect(try await server.send(.get, "/v1/orgs/acme", token: other).status == .ok)
        }
    }

    @Test func addingAMemberNeedsAnExistingUserAndKnownTeams() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            _ = try await server.signup("new@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            let unknownUser = try await server.send(.post, "/v1/orgs/acme/members", token: owner, json: AddMemberRequest(email: "ghost@example.com", role: .viewer))
            #expect(unknownUser.status == .unprocessableContent)
            #expect(try unknownUser.error.details["field"] == "email")
            let unknownTeam = try await server.send(.post, "/v1/orgs/acme/members", token: owner, json: AddMemberRequest(email: "new@example.com", role: .viewer, teams: ["Sales", "Pirates"]))
            #expect(unknownTeam.status == .unprocessableContent)
            #expect(try unknownTeam.error.details["field"] == "teams[1]")
            let members = try await server.send(.get, "/v1/orgs/acme/members", token: owner).decode([Member].self)
            #expect(members.count == 1, "a rejected request adds no one")
        }
    }

    @Test func teamsAreRecordsOfTheOrganization() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            let (viewer, _) = try await server.signup("viewer@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            try await server.send(.post, "/v1/orgs/acme/members", token: owner, json: AddMemberRequest(email: "viewer@example.com", role: .viewer))
            let created = try await server.send(.post, "/v1/orgs/acme/teams", token: owner, json: CreateTeamRequest(name: "Partnerships"))
            #expect(created.status == .created)
            let duplicate = try await server.send(.post, "/v1/orgs/acme/teams", token: owner, json: CreateTeamRequest(name: "partnerships"))
            #expect(duplicate.status == .conflict)
            let byViewer = try await server.send(.post, "/v1/orgs/acme/teams", token: viewer, json: CreateTeamRequest(name: "Shadow IT"))
            #expect(byViewer.status == .forbidden)
            let teams = try await server.send(.get, "/v1/orgs/acme/teams", token: viewer).decode([Team].self)
            #expect(teams.count == StandardTeam.allCases.count + 1)
            #expect(teams.contains { $0.name == "Partnerships" })
        }
    }
}
