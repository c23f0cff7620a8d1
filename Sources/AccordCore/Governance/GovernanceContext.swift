public import Foundation

/// What a governance rule reads besides the record it judges: the rights, the members, and who is acting.
struct GovernanceContext {
    var book: RightsBook
    var directory: MemberDirectory
    var member: GovernanceMember

    static func load(_ input: RuleInput) async throws -> GovernanceContext {
        let book = RightsBook(records: try await input.view.records(CollectionSchema.decisionRights.name, matching: [:]))
        let directory = MemberDirectory(records: try await input.view.records(CollectionSchema.members.name, matching: [:]))
        return GovernanceContext(book: book, directory: directory, member: GovernanceMember(input.actor, name: directory.members[input.actor.userID]?.name ?? ""))
    }

    /// A refusal when the acting member does not hold `role`, naming who does.
    func refusal(_ role: RightRole, _ type: String, scope: String?, doing action: String, waitingSince: Date? = nil, now: Date) -> RuleDecision? {
        book.refusal(member, role, type: type, scope: scope, doing: action, directory: directory, waitingSince: waitingSince, now: now)
            .map { RuleDecision(rejection: $0, stamps: [:], followUps: []) }
    }
}

/// The responses to proposals: one record per member and proposal, with an id derived from both, so a member
/// changes their answer rather than adding another, and anyone can tell whose answer a record is.
public enum ProposalResponse {
    public static func id(proposal: UUID, member: UUID) -> UUID {
        mix(proposal, member)
    }

    public static func member(of response: UUID, proposal: UUID) -> UUID {
        mix(response, proposal)
    }

    private static func mix(_ a: UUID, _ b: UUID) -> UUID {
        var left = a.uuid, right = b.uuid
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: &left) { l in withUnsafeBytes(of: &right) { r in for i in 0..<16 { bytes[i] = l[i] ^ r[i] } } }
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }
}

/// A definition's version number, `major.minor`.
public struct VersionNumber: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init?(_ text: String?) {
        guard let parts = text?.split(separator: "."), parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.major = major
        self.minor = minor
    }

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The number a version approved after `current` takes: a breaking change starts the next major version.
    public static func next(after current: VersionNumber?, breaking: Bool) -> VersionNumber {
        guard let current else { return VersionNumber(major: 1, minor: 0) }
        return breaking ? VersionNumber(major: current.major + 1, minor: 0) : VersionNumber(major: current.major, minor: current.minor + 1)
    }

    public var description: String { "\(major).\(minor)" }
}

/// Where an approval stands with the `agree` holders: each must have a member who consented, and any member's
/// objection blocks until withdrawn.
public struct ConsentTally: Sendable {
    public struct Entry: Sendable, Equatable {
        public var holder: Holder
        public var consented: [UUID]
        /// Objecting members with their reasons.
        public var objections: [Objection]
    }

    public struct Objection: Sendable, Equatable, Codable {
        public var member: UUID
        public var comment: String?
    }

    public var entries: [Entry]

    /// `responses` are the proposal's `proposal_responses` records by id.
    public init(right: DecisionRight, proposal: UUID, responses: [UUID: RecordFields], directory: MemberDirectory) {
        let stances = responses.reduce(into: [UUID: (ResponseStance, String?)]()) { result, entry in
            guard let stance = entry.value.text("stance").flatMap(ResponseStance.init) else { return }
            result[ProposalResponse.member(of: entry.key, proposal: proposal)] = (stance, entry.value.text("comment"))
        }
        entries = right.agree.map { holder in
            let matching = stances.filter { id, _ in directory.members[id].map(holder.matches) ?? (holder == .user(id)) }
            return Entry(
                holder: holder,
                consented: matching.filter { $0.value.0 == .consent }.map(\.key).sorted { $0.uuidString < $1.uuidString },
                objections: matching.filter { $0.value.0 == .object }.map { Objection(member: $0.key, comment: $0.value.1) }
                    .sorted { $0.member.uuidString < $1.member.uuidString }
            )
        }
    }

    public var objections: [Objection] { entries.flatMap(\.objections) }
    /// The holders no member of has consented yet.
    public var waitingFor: [Holder] { entries.filter { $0.consented.isEmpty }.map(\.holder) }
    public var isComplete: Bool { objections.isEmpty && waitingFor.isEmpty }

    /// Why the proposal cannot be approved yet, or nil.
    public func blocker(_ directory: MemberDirectory) -> Rejection? {
        if let objection = objections.first {
            let why = objection.comment.map { ": \"\($0)\"" } ?? ""
            return Rejection(
                code: "objection",
                reason: "\(directory.name(objection.member)) objects\(why). It cannot be approved until they withdraw the objection."
            )
        }
        guard waitingFor.isEmpty else {
            return Rejection(
                code: "awaiting_consent",
                reason: "It cannot be approved before every agree holder consents; waiting for \(waitingFor.map(directory.describe).joined(separator: "; "))."
            )
        }
        return nil
    }
}
