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
            let added = try await server.addMember(AddMemberRequest(email: "dana@example.com", role: .viewer, teams: ["marketing", "Sales"]), to: "marco", token: client)
            #expect(added.status == .ok)
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
                let added = try await server.addMember(AddMemberRequest(email: email, role: role), to: "acme", token: owner)
                #expect(added.status == .ok)
            }
            let byEditor = try await server.addMember(AddMemberRequest(email: "viewer@example.com", role: .viewer), to: "acme", token: editor)
            #expect(byEditor.status == .forbidden)
            let ownerByAdmin = try await server.addMember(AddMemberRequest(email: "viewer@example.com", role: .owner), to: "acme", token: admin)
            #expect(ownerByAdmin.status == .forbidden)
            let viewerByAdmin = try await server.addMember(AddMemberRequest(email: "viewer@example.com", role: .viewer, teams: ["Finance"]), to: "acme", token: admin)
            #expect(viewerByAdmin.status == .ok)
            #expect(try viewerByAdmin.decode(Membership.self).teams == ["Finance"])
            let again = try await server.addMember(AddMemberRequest(email: "viewer@example.com", role: .viewer), to: "acme", token: admin)
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
                try await server.addMember(AddMemberRequest(email: "b@example.com", role: .owner), to: "\(slug)", token: a)
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

            try await server.addMember(AddMemberRequest(email: "other@example.com", role: .owner), to: "acme", token: owner)
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
            let unknownTeam = try await server.addMember(AddMemberRequest(email: "new@example.com", role: .viewer, teams: ["Sales", "Pirates"]), to: "acme", token: owner)
            #expect(unknownTeam.status == .unprocessableContent)
            #expect(try unknownTeam.error.details["field"] == "teams[1]")
            let members = try await server.send(.get, "/v1/orgs/acme/members", token: owner).decode([Member].self)
            #expect(members.count == 1, "a rejected request adds no one")
        }
    }

    @Test func anInvitationRevealsNothingAboutTheAddressAndOnlyItsInviteeAcceptsIt() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            _ = try await server.signup("known@example.com", name: "Known Person")
            let (stranger, _) = try await server.signup("stranger@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            let known = try await server.send(.post, "/v1/orgs/acme/invitations", token: owner, json: AddMemberRequest(email: "known@example.com", role: .editor))
            let unknown = try await server.send(.post, "/v1/orgs/acme/invitations", token: owner, json: AddMemberRequest(email: "later@example.com", role: .editor))
            #expect(known.status == .created && unknown.status == .created, "an address with an account answers like one without")
            func shape(_ response: TestResponse) throws -> [String] {
                try (JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?.keys.sorted() ?? []
            }
            #expect(try shape(known) == shape(unknown))
            #expect(!String(buffer: known.body).contains("Known Person"), "the invitee's name stays theirs")
            let pending = try await server.send(.get, "/v1/orgs/acme/invitations", token: owner).decode([Invitation].self)
            #expect(Set(pending.map(\.email)) == ["known@example.com", "later@example.com"])
            #expect(try await server.send(.get, "/v1/orgs/acme/members", token: owner).decode([Member].self).count == 1, "nobody joined yet")

            let invitation = try known.decode(Invitation.self)
            #expect(try await server.send(.get, "/v1/me/invitations", token: stranger).decode([Invitation].self).isEmpty)
            let hijack = try await server.send(.post, "/v1/me/invitations/\(invitation.id)/accept", token: stranger)
            #expect(hijack.status == .notFound)
            #expect(try hijack.error.code == "invitation_not_found")

            let (later, _) = try await server.signup("later@example.com")
            let waiting = try await server.send(.get, "/v1/me/invitations", token: later).decode([Invitation].self)
            #expect(waiting.map(\.organization.slug) == ["acme"] && waiting.first?.invitedBy == "Test User")
            let joined = try await server.send(.post, "/v1/me/invitations/\(waiting[0].id)/accept", token: later)
            #expect(try joined.decode(Membership.self).role == .editor)
            #expect(try await server.send(.get, "/v1/orgs/acme", token: later).status == .ok)
            #expect(try await server.send(.post, "/v1/me/invitations/\(waiting[0].id)/accept", token: later).status == .notFound, "used up")

            let login = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "known@example.com", password: "correct horse battery"))
            let knownToken = try login.decode(IssuedToken.self).token
            #expect(try await server.send(.post, "/v1/me/invitations/\(invitation.id)/decline", token: knownToken).status == .noContent)
            #expect(try await server.send(.get, "/v1/orgs/acme", token: knownToken).status == .notFound, "declining joins nothing")
            #expect(try await server.send(.get, "/v1/orgs/acme/invitations", token: owner).decode([Invitation].self).isEmpty)
        }
    }

    @Test func aWithdrawnInvitationCannotBeAccepted() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            let (invitee, _) = try await server.signup("invitee@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            let invitation = try await server.send(.post, "/v1/orgs/acme/invitations", token: owner, json: AddMemberRequest(email: "invitee@example.com", role: .viewer))
                .decode(Invitation.self)
            #expect(try await server.send(.delete, "/v1/orgs/acme/invitations/\(invitation.id)", token: owner).status == .noContent)
            #expect(try await server.send(.post, "/v1/me/invitations/\(invitation.id)/accept", token: invitee).status == .notFound)
            #expect(try await server.send(.get, "/v1/orgs/acme", token: invitee).status == .notFound)
        }
    }

    @Test func teamsAreRecordsOfTheOrganization() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            let (viewer, _) = try await server.signup("viewer@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            try await server.addMember(AddMemberRequest(email: "viewer@example.com", role: .viewer), to: "acme", token: owner)
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
