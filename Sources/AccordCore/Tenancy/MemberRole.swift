/// A member's role in an organization, from most to least powerful.
public enum MemberRole: String, Codable, Sendable, CaseIterable, Comparable {
    case owner
    case admin
    case editor
    case viewer

    private var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .editor: 1
        case .viewer: 0
        }
    }

    public static func < (lhs: MemberRole, rhs: MemberRole) -> Bool { lhs.rank < rhs.rank }

    /// Owners and admins manage membership and teams.
    public var managesMembers: Bool { self >= .admin }

    /// Editors and above may change the organization's records.
    public var canEdit: Bool { self >= .editor }

    /// Whether a member with this role may grant or take away `other`.
    ///
    /// Only owners create or remove owners, so an admin cannot take over an organization.
    public func mayAssign(_ other: MemberRole) -> Bool {
        guard managesMembers else { return false }
        return other == .owner ? self == .owner : true
    }
}
