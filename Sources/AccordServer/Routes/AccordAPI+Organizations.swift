import AccordCore
import Foundation
import Hummingbird
import Logging

extension AccordAPI {
    func addOrganizationRoutes(to v1: RouterGroup<Context>) {
        v1.post("orgs") { request, context -> EditedResponse<Organization> in
            let body = try await request.decodeJSON(as: CreateOrganizationRequest.self, context: context)
            let identity = try context.requireIdentity()
            let organization = try await organizations.create(name: body.name, slug: body.slug, as: identity, logger: context.logger)
            try await directoryChanged(organization.id.lowercasedText, as: identity, logger: context.logger)
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
        v1.patch("orgs/:org/members/:user") { request, context -> Member in
            let body = try await request.decodeJSON(as: UpdateMemberRequest.self, context: context)
            let user = try context.parameters.require("user")
            let member = try await changingDirectory(request, context) { tx, access in
                try await memberships.update(user, with: body, in: tx, access: access)
            }
            organizations.accessChanged()
            return member
        }
        v1.delete("orgs/:org/members/:user") { request, context -> HTTPResponse.Status in
            let user = try context.parameters.require("user")
            try await changingDirectory(request, context) { tx, access in try await memberships.remove(user, in: tx, access: access) }
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
            let team = try await changingDirectory(request, context) { tx, access in
                try await memberships.createTeam(body, in: tx, access: access)
            }
            return EditedResponse(status: .created, response: team)
        }
    }

    /// Runs `body`, a change to members or teams, and in the same transaction brings the synced `members` and
    /// `team_rosters` records in line with it.
    func changingDirectory<Result: Sendable>(
        _ request: Request, _ context: Context, _ body: (Transaction, OrganizationAccess) async throws -> Result
    ) async throws -> Result {
        let (result, org, head) = try await inOrganization(request, context) { tx, access in
            let result = try await body(tx, access)
            let head = try await directory.reconcile(org: access.organization.id, actor: access.actor(.member), in: tx)
            return (result, access.organization.id, head)
        }
        heads.advance(org, to: head)
        return result
    }

    /// Brings the synced directory of the organization `reference` in line with its tables, in a transaction
    /// of its own.
    func directoryChanged(_ reference: String, as identity: Identity, logger: Logger) async throws {
        let (org, head) = try await organizations.inOrganization(reference, as: identity, logger: logger) { tx, access in
            (access.organization.id, try await directory.reconcile(org: access.organization.id, actor: access.actor(.member), in: tx))
        }
        heads.advance(org, to: head)
    }

    /// Runs `body` in the organization the `:org` parameter names, as the authenticated user.
    func inOrganization<Result: Sendable>(
        _ request: Request, _ context: Context, _ body: (Transaction, OrganizationAccess) async throws -> Result
    ) async throws -> Result {
        let reference = try context.parameters.require("org")
        return try await organizations.inOrganization(reference, as: try context.requireIdentity(), logger: context.logger, body)
    }
}
