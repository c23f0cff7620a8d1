import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    func addOrganizationRoutes(to v1: RouterGroup<Context>) {
        v1.post("orgs") { request, context -> EditedResponse<Organization> in
            let body = try await request.decodeJSON(as: CreateOrganizationRequest.self, context: context)
            let organization = try await organizations.create(
                name: body.name, slug: body.slug, as: try context.requireIdentity(), logger: context.logger
            )
            return EditedResponse(status: .created, response: organization)
        }
        v1.get("orgs/:org") { request, context -> OrganizationDetail in
            try await inOrganization(request, context) { tx, access in
                let members = try await memberships.members(in: tx, access: access)
                let teams = try await memberships.teams(in: tx, org: access.organization.id)
                return OrganizationDetail(organization: access.organization, role: access.role, memberCount: members.count, teams: teams)
            }
        }
    }

    func addMemberRoutes(to v1: RouterGroup<Context>) {
        v1.get("orgs/:org/members") { request, context -> [Member] in
            try await inOrganization(request, context) { tx, access in try await memberships.members(in: tx, access: access) }
        }
        v1.post("orgs/:org/members") { request, context -> EditedResponse<Member> in
            let body = try await request.decodeJSON(as: AddMemberRequest.self, context: context)
            let member = try await inOrganization(request, context) { tx, access in
                try await memberships.add(body, in: tx, access: access)
            }
            organizations.accessChanged()
            return EditedResponse(status: .created, response: member)
        }
        v1.patch("orgs/:org/members/:user") { request, context -> Member in
            let body = try await request.decodeJSON(as: UpdateMemberRequest.self, context: context)
            let user = try context.parameters.require("user")
            let member = try await inOrganization(request, context) { tx, access in
                try await memberships.update(user, with: body, in: tx, access: access)
            }
            organizations.accessChanged()
            return member
        }
        v1.delete("orgs/:org/members/:user") { request, context -> HTTPResponse.Status in
            let user = try context.parameters.require("user")
            try await inOrganization(request, context) { tx, access in try await memberships.remove(user, in: tx, access: access) }
            organizations.accessChanged()
            return .noContent
        }
    }

    func addTeamRoutes(to v1: RouterGroup<Context>) {
        v1.get("orgs/:org/teams") { request, context -> [Team] in
            try await inOrganization(request, context) { tx, access in try await memberships.teams(in: tx, org: access.organization.id) }
        }
        v1.post("orgs/:org/teams") { request, context -> EditedResponse<Team> in
            let body = try await request.decodeJSON(as: CreateTeamRequest.self, context: context)
            let team = try await inOrganization(request, context) { tx, access in
                try await memberships.createTeam(body, in: tx, access: access)
            }
            return EditedResponse(status: .created, response: team)
        }
    }

    /// Runs `body` in the organization the `:org` parameter names, as the authenticated user.
    func inOrganization<Result: Sendable>(
        _ request: Request, _ context: Context, _ body: (Transaction, OrganizationAccess) async throws -> Result
    ) async throws -> Result {
        let reference = try context.parameters.require("org")
        return try await organizations.inOrganization(reference, as: try context.requireIdentity(), logger: context.logger, body)
    }
}
