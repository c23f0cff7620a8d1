public import Foundation

/// An organization: one tenant, such as a consultancy's client.
public struct Organization: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var createdAt: Date

    public init(id: UUID, slug: String, name: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }
}

/// `POST /v1/orgs`. Without a slug, one is derived from the name.
public struct CreateOrganizationRequest: Codable, Sendable {
    public var name: String
    public var slug: String?

    public init(name: String, slug: String? = nil) {
        self.name = name
        self.slug = slug
    }
}

/// `GET /v1/orgs/{org}`: the organization and the caller's place in it.
public struct OrganizationDetail: Codable, Sendable {
    public var organization: Organization
    public var role: MemberRole
    public var memberCount: Int
    public var teams: [Team]

    public init(organization: Organization, role: MemberRole, memberCount: Int, teams: [Team]) {
        self.organization = organization
        self.role = role
        self.memberCount = memberCount
        self.teams = teams
    }
}

/// One of the caller's memberships, as `GET /v1/me` lists them.
public struct Membership: Codable, Sendable, Equatable {
    public var organization: Organization
    public var role: MemberRole
    public var teams: [String]

    public init(organization: Organization, role: MemberRole, teams: [String]) {
        self.organization = organization
        self.role = role
        self.teams = teams
    }
}

/// `GET /v1/me`.
public struct MeResponse: Codable, Sendable {
    public var user: UserSummary
    public var memberships: [Membership]

    public init(user: UserSummary, memberships: [Membership]) {
        self.user = user
        self.memberships = memberships
    }
}

/// A member of an organization.
public struct Member: Codable, Sendable, Equatable {
    public var user: UserSummary
    public var role: MemberRole
    public var teams: [Team]
    public var joinedAt: Date

    public init(user: UserSummary, role: MemberRole, teams: [Team], joinedAt: Date) {
        self.user = user
        self.role = role
        self.teams = teams
        self.joinedAt = joinedAt
    }
}

/// `POST /v1/orgs/{org}/members`: adds an existing user, found by email.
public struct AddMemberRequest: Codable, Sendable {
    public var email: String
    public var role: MemberRole
    /// Team names or ids.
    public var teams: [String]?

    public init(email: String, role: MemberRole, teams: [String]? = nil) {
        self.email = email
        self.role = role
        self.teams = teams
    }
}

/// `PATCH /v1/orgs/{org}/members/{user}`: what is present changes; `teams` replaces the whole set.
public struct UpdateMemberRequest: Codable, Sendable {
    public var role: MemberRole?
    public var teams: [String]?

    public init(role: MemberRole? = nil, teams: [String]? = nil) {
        self.role = role
        self.teams = teams
    }
}

/// A team of an organization, such as Marketing or RevOps.
public struct Team: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var createdAt: Date

    public init(id: UUID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// `POST /v1/orgs/{org}/teams`.
public struct CreateTeamRequest: Codable, Sendable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}
