import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    /// An organization's managers invite and withdraw; the invitee, outside any organization, lists, accepts
    /// and declines the invitations addressed to their email.
    func addInvitationRoutes(to v1: RouterGroup<Context>) {
        v1.post("orgs/:org/invitations") { request, context -> EditedResponse<Invitation> in
            let body = try await request.decodeJSON(as: AddMemberRequest.self, context: context)
            let invitation = try await inOrganization(request, context) { tx, access in try await memberships.invite(body, in: tx, access: access) }
            return EditedResponse(status: .created, response: invitation)
        }
        v1.get("orgs/:org/invitations") { request, context -> [Invitation] in
            try await inOrganization(request, context) { tx, access in try await memberships.pendingInvitations(in: tx, access: access) }
        }
        v1.delete("orgs/:org/invitations/:invitation") { request, context -> HTTPResponse.Status in
            // The organization is checked first, so a non-member learns nothing from how the id is spelled.
            try await inOrganization(request, context) { tx, access in
                try await memberships.withdrawInvitation(try Self.invitationID(context), in: tx, access: access)
            }
            return .noContent
        }
        v1.get("me/invitations") { _, context -> [Invitation] in
            let identity = try context.requireIdentity()
            return try await database.transaction(user: identity.userID, logger: context.logger) { tx in
                try await memberships.invitations(in: tx)
            }
        }
        v1.post("me/invitations/:invitation/accept") { _, context -> Membership in
            let identity = try context.requireIdentity()
            let id = try Self.invitationID(context)
            let (membership, head) = try await database.transaction(user: identity.userID, logger: context.logger) { tx in
                let invitation = try await memberships.accept(id, as: identity.userID, in: tx)
                let actor = RuleActor(userID: identity.userID, role: invitation.role, teams: Set(invitation.teams), origin: .member)
                let head = try await directory.reconcile(org: invitation.organization.id, actor: actor, in: tx)
                return (Membership(organization: invitation.organization, role: invitation.role, teams: invitation.teams), head)
            }
            organizations.accessChanged()
            heads.advance(membership.organization.id, to: head)
            return membership
        }
        v1.post("me/invitations/:invitation/decline") { _, context -> HTTPResponse.Status in
            let identity = try context.requireIdentity()
            let id = try Self.invitationID(context)
            try await database.transaction(user: identity.userID, logger: context.logger) { tx in try await memberships.decline(id, in: tx) }
            return .noContent
        }
    }

    private static func invitationID(_ context: Context) throws -> UUID {
        let text = try context.parameters.require("invitation")
        guard let id = UUID(uuidString: text) else {
            throw APIError.notFound("invitation \(text)")
        }
        return id
    }
}
