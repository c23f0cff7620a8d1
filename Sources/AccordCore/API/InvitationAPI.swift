public import Foundation

/// An invitation to join an organization, waiting for the invitee. The organization's managers see what they
/// asked for; the invitee sees who asked and where. Neither learns anything about the other's account.
public struct Invitation: Codable, Sendable, Equatable {
    public var id: UUID
    public var organization: Organization
    public var email: String
    public var role: MemberRole
    /// The names of the teams the invitee joins on accepting.
    public var teams: [String]
    /// The name of who invited, when their account still exists.
    public var invitedBy: String?
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        id: UUID, organization: Organization, email: String, role: MemberRole, teams: [String], invitedBy: String?, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.organization = organization
        self.email = email
        self.role = role
        self.teams = teams
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
