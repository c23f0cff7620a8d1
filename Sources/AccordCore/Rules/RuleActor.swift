public import Foundation

/// Who makes a change, as rules see them: a member with a role and teams, making the change themselves (on a
/// replica, or through the REST API), or having the server make it for them (a rule's follow-up, a conflict,
/// a scheduled job).
public struct RuleActor: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        /// A change the member makes: pushed from a replica or sent to the REST API.
        case member
        /// A change the server makes because of the member's; it may create server-made records and set fields
        /// the server owns.
        case server
    }

    public var userID: UUID
    public var role: MemberRole
    /// The names of the teams the member belongs to.
    public var teams: Set<String>
    public var origin: Origin

    public init(userID: UUID, role: MemberRole, teams: Set<String> = [], origin: Origin = .member) {
        self.userID = userID
        self.role = role
        self.teams = teams
        self.origin = origin
    }

    /// Whether the member belongs to the team `name`, compared without case, as team names are.
    public func isMember(of name: String) -> Bool {
        teams.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The same member, acting through the server.
    public var viaServer: RuleActor {
        var actor = self
        actor.origin = .server
        return actor
    }
}
