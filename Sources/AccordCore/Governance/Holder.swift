public import Foundation

/// Who holds a part of a decision right: one member, any member of a team, any member whose role is at least
/// a given role, or every member. Spelled in records as `user:<uuid>`, `team:<name>`, `role:<role>` or
/// `everyone`.
public enum Holder: Hashable, Sendable, CustomStringConvertible, Codable {
    case user(UUID)
    case team(String)
    case role(MemberRole)
    case everyone

    public init?(_ text: String) {
        if text == "everyone" {
            self = .everyone
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon], value = String(text[text.index(after: colon)...])
        switch kind {
        case "user": guard let id = UUID(uuidString: value) else { return nil }; self = .user(id)
        case "team": guard !value.isEmpty, value.count <= 100 else { return nil }; self = .team(value)
        case "role": guard let role = MemberRole(rawValue: value) else { return nil }; self = .role(role)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .user(let id): "user:\(id.lowercasedText)"
        case .team(let name): "team:\(name)"
        case .role(let role): "role:\(role.rawValue)"
        case .everyone: "everyone"
        }
    }

    /// What a holder string should look like, for error messages.
    public static let spelling = "user:<user id>, team:<team name>, role:<owner|admin|editor|viewer> or everyone"

    /// Whether `member` holds this: a role holder is met by that role or a more powerful one, so the owners
    /// also hold what the admins hold.
    public func matches(_ member: GovernanceMember) -> Bool {
        switch self {
        case .user(let id): member.id == id
        case .team(let name): member.teams.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
        case .role(let role): member.role >= role
        case .everyone: true
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let holder = Holder(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a holder is \(Holder.spelling)"))
        }
        self = holder
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A member as governance sees them: from the `members` collection, on the server and on a replica alike.
public struct GovernanceMember: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    public var role: MemberRole
    public var teams: [String]
    public var email: String?

    public init(id: UUID, name: String, role: MemberRole, teams: [String], email: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.teams = teams
        self.email = email
    }

    /// The member making a change, as the rules know them.
    public init(_ actor: RuleActor, name: String = "") {
        self.init(id: actor.userID, name: name, role: actor.role, teams: actor.teams.sorted())
    }
}

/// The organization's members by id, to match holders and to name them in reasons.
public struct MemberDirectory: Sendable {
    public var members: [UUID: GovernanceMember]

    public init(members: [GovernanceMember]) {
        self.members = Dictionary(members.map { ($0.id, $0) }) { first, _ in first }
    }

    /// From the `members` collection's records.
    public init(records: [UUID: RecordFields]) {
        self.init(members: records.compactMap { id, fields in
            guard let name = fields.text("name"), let role = fields.text("role").flatMap(MemberRole.init) else { return nil }
            return GovernanceMember(id: id, name: name, role: role, teams: fields.strings("teams"), email: fields.text("email"))
        })
    }

    /// The member a person names by id, email or name, without case.
    public func find(_ text: String) -> GovernanceMember? {
        let lowered = text.lowercased()
        return members.values.first { $0.id.lowercasedText == lowered || $0.email?.lowercased() == lowered }
            ?? members.values.first { $0.name.lowercased() == lowered }
    }

    public func name(_ id: UUID) -> String {
        members[id]?.name ?? "a former member (\(id.lowercasedText.prefix(8)))"
    }

    /// The members who hold `holder`, by name.
    public func holders(of holder: Holder) -> [GovernanceMember] {
        members.values.filter(holder.matches).sorted { $0.name < $1.name }
    }

    /// `holder` in words, with the people it names: "owners (Dana Whitfield)", "the RevOps team (Ana, Bo)".
    public func describe(_ holder: Holder) -> String {
        let people = holders(of: holder).map(\.name)
        let who = people.isEmpty ? " (nobody holds it today)" : " (\(people.joined(separator: ", ")))"
        switch holder {
        case .user(let id): return name(id)
        case .team(let team): return "the \(team) team" + who
        case .role(let role): return (role == .owner ? "owners" : "\(role.rawValue)s and above") + who
        case .everyone: return "every member"
        }
    }
}
