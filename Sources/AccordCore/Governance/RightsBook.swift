public import Foundation

/// An organization's decision rights, and the one function that says who may do what. The server runs it on
/// every governed change; a replica runs it on its own copy to warn at once.
public struct RightsBook: Sendable {
    /// The rights the organization's records declare.
    public var declared: [DecisionRight]

    public init(_ rights: [DecisionRight]) {
        declared = rights
    }

    /// From the `decision_rights` collection's records.
    public init(records: [UUID: RecordFields]) {
        self.init(records.compactMap { DecisionRight(id: $0.key, record: $0.value) }.sorted { ($0.type, $0.scope ?? "") < ($1.type, $1.scope ?? "") })
    }

    /// The right that applies to `type` in `scope`: the one declared for exactly that scope, else the one
    /// declared for the whole type, else Accord's default.
    public func right(for type: String, scope: String?) -> DecisionRight {
        let ofType = declared.filter { $0.type == type }
        if let scope, let scoped = ofType.first(where: { $0.scope == scope }) { return scoped }
        return ofType.first { $0.scope == nil } ?? DecisionRight.builtInDefault(for: type)
    }

    /// Every right in force: the declared ones and the defaults of built-in types no record covers.
    public var all: [DecisionRight] {
        let covered = Set(declared.filter { $0.scope == nil }.map(\.type))
        return declared + DecisionRight.builtInTypes.filter { !covered.contains($0) }.map(DecisionRight.builtInDefault)
    }

    /// Whether `member` holds `role` of the right for `type` in `scope`, and why. For `decide`, a proposal
    /// waiting since `waitingSince` has passed to the escalation holder too once its days are up at `now`.
    public func check(
        _ member: GovernanceMember, _ role: RightRole, type: String, scope: String?, waitingSince: Date? = nil, now: Date = Date()
    ) -> RightCheck {
        let right = right(for: type, scope: scope)
        var holders = right.holders(role)
        let escalated = role == .decide && Self.isEscalated(right, waitingSince: waitingSince, now: now)
        if escalated, let to = right.escalateTo { holders.append(to) }
        let matched = holders.first { $0.matches(member) }
        return RightCheck(
            type: type, scope: scope, role: role, user: member.id, holds: matched != nil, matched: matched,
            escalated: escalated && matched == right.escalateTo && matched != nil, right: right
        )
    }

    /// Whether a decision waiting since `waitingSince` has waited past the right's escalation days.
    public static func isEscalated(_ right: DecisionRight, waitingSince: Date?, now: Date) -> Bool {
        guard let days = right.escalateAfterDays, right.escalateTo != nil, let since = waitingSince else { return false }
        return now.timeIntervalSince(since) >= Double(days) * 86_400
    }

    /// Why `member` may not do what needs `role`, naming who holds it, or nil when they may.
    public func refusal(
        _ member: GovernanceMember, _ role: RightRole, type: String, scope: String?, doing action: String, directory: MemberDirectory,
        waitingSince: Date? = nil, now: Date = Date()
    ) -> Rejection? {
        let check = check(member, role, type: type, scope: scope, waitingSince: waitingSince, now: now)
        guard !check.holds else { return nil }
        var holders = check.right.holders(role)
        if role == .decide, Self.isEscalated(check.right, waitingSince: waitingSince, now: now), let to = check.right.escalateTo { holders.append(to) }
        let who = holders.isEmpty ? "nobody (the right names no \(role.rawValue) holder)" : holders.map(directory.describe).joined(separator: "; ")
        return Rejection(
            code: "no_right",
            reason: "Only the \(role.rawValue) holders of \(check.right.title) may \(action): \(who). Ask them, or change the right through decision_right.change."
        )
    }
}

/// The answer to "may this member do this, and why": the right that applies and the holder that matched.
public struct RightCheck: Sendable, Equatable, Codable {
    public var type: String
    public var scope: String?
    public var role: RightRole
    public var user: UUID
    public var holds: Bool
    /// The holder the member matched, when they hold the part.
    public var matched: Holder?
    /// Whether they hold it only because the decision was escalated to them.
    public var escalated: Bool
    public var right: DecisionRight
}
