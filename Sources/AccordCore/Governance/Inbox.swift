public import Foundation

/// What waits for a member: proposals to consent to, comment on or decide, decisions escalated to them,
/// decisions due for review, and what they are informed of. Computed from the replicated records, so it
/// reads the same offline.
public struct InboxItem: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case agree, input, decide, escalated, reviewDue = "review_due", informed
    }

    public var kind: Kind
    public var title: String
    public var detail: String
    /// The record it is about, as `collection/uuid`.
    public var record: String
    public var since: Date?
}

public enum Inbox {
    /// How long an approved change stays in the inbox of those it informs.
    public static let informedFor: TimeInterval = 14 * 86_400

    public static func items(for member: GovernanceMember, in data: GovernanceData, now: Date) -> [InboxItem] {
        var items: [InboxItem] = []
        for (id, fields) in data.versions {
            guard let definitionID = fields.reference("definition", into: CollectionSchema.definitions.name),
                  let definition = data.definitions[definitionID] else { continue }
            let right = data.right(forDefinition: definition)
            let version = VersionView(id: id, fields: fields, data: data)
            let record = "\(CollectionSchema.definitionVersions.name)/\(id.lowercasedText)"
            let check = { (role: RightRole) in
                data.rights.check(member, role, type: right.type, scope: right.scope ?? definition.text("category"), waitingSince: version.proposedAt, now: now)
            }
            switch version.status {
            case .proposed:
                let answered = version.responses.first { $0.member == member.id }
                let tally = ConsentTally(right: right, proposal: id, responses: data.responses(to: id), directory: data.directory)
                if check(.agree).holds && answered?.stance != .consent {
                    let detail = answered?.stance == .object ? "you object; consent to withdraw the objection" : "your consent is needed before it can be approved"
                    items.append(InboxItem(kind: .agree, title: "\(version.term): proposed change", detail: detail, record: record, since: version.proposedAt))
                } else if check(.input).holds && answered == nil {
                    items.append(InboxItem(kind: .input, title: "\(version.term): proposed change", detail: "your input is asked; it does not block", record: record, since: version.proposedAt))
                }
                let decide = check(.decide)
                if decide.holds && (version.proposedByID != member.id || !right.separateDuties) {
                    let waiting = tally.blocker(data.directory)?.reason ?? "every agree holder consented; approve or reject it"
                    let kind: InboxItem.Kind = decide.escalated ? .escalated : .decide
                    let prefix = decide.escalated ? "escalated to you after \(right.escalateAfterDays ?? 0) days without a decision. " : ""
                    items.append(InboxItem(kind: kind, title: "\(version.term): decide", detail: prefix + waiting, record: record, since: version.proposedAt))
                }
            case .approved:
                if let decidedAt = version.decidedAt, now.timeIntervalSince(decidedAt) < informedFor, check(.inform).holds, version.decidedByID != member.id {
                    let detail = "version \(version.version ?? "?") approved by \(version.decidedBy ?? "someone")"
                    items.append(InboxItem(kind: .informed, title: "\(version.term) changed", detail: detail, record: "\(CollectionSchema.definitions.name)/\(definitionID.lowercasedText)", since: decidedAt))
                }
            default:
                continue
            }
        }
        let today = CalendarDate.text(now)
        for (id, fields) in data.decisions {
            let entry = DecisionEntry(id: id, fields: fields, directory: data.directory)
            guard entry.isDue(today: today) else { continue }
            let mine = entry.decidedByID == member.id || data.rights.check(member, .decide, type: entry.type, scope: entry.scope).holds
            if mine {
                items.append(InboxItem(kind: .reviewDue, title: entry.title, detail: "review was due on \(entry.reviewOn ?? today); decide again or supersede it", record: "\(CollectionSchema.decisions.name)/\(id.lowercasedText)", since: nil))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: InboxItem.Kind.allCases.enumerated().map { ($1, $0) })
        return items.sorted { (order[$0.kind]!, $0.since ?? .distantPast, $0.title) < (order[$1.kind]!, $1.since ?? .distantPast, $1.title) }
    }
}

/// A definition in the glossary: its certified version and what is pending.
public struct DefinitionSummary: Sendable, Equatable, Codable {
    public var id: UUID
    public var term: String
    public var category: String
    public var ownerTeam: String?
    public var status: String
    public var version: String?
    public var certifiedBy: String?
    public var certifiedAt: Date?
    public var openProposals: Int
    public var replacedBy: String?

    public init(id: UUID, data: GovernanceData) {
        let fields = data.definitions[id] ?? [:]
        let versions = data.versions(of: id)
        let current = fields.reference("current_version", into: CollectionSchema.definitionVersions.name).flatMap { id in versions.first { $0.id == id } }
        self.id = id
        term = fields.text("term") ?? ""
        category = fields.text("category") ?? ""
        ownerTeam = fields.text("owner_team")
        status = current == nil ? "uncertified" : fields.text("status") ?? "active"
        version = current?.version
        certifiedBy = current?.decidedBy
        certifiedAt = current?.decidedAt
        openProposals = versions.filter { $0.status == .proposed || $0.status == .draft }.count
        replacedBy = fields.reference("replaced_by", into: CollectionSchema.definitions.name).flatMap { data.definitions[$0]?.text("term") }
    }

    public static func all(in data: GovernanceData) -> [DefinitionSummary] {
        data.definitions.keys.map { DefinitionSummary(id: $0, data: data) }.sorted { ($0.category, $0.term.lowercased()) < ($1.category, $1.term.lowercased()) }
    }
}
