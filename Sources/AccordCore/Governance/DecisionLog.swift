public import Foundation

/// One entry of the decision log, readable.
public struct DecisionEntry: Sendable, Equatable, Codable {
    public var id: UUID
    public var title: String
    public var type: String
    public var scope: String?
    public var status: DecisionStatus
    public var rationale: String
    public var decidedBy: String?
    public var decidedByID: UUID?
    public var decidedOn: String?
    public var cadence: String?
    public var reviewOn: String?
    public var links: [String]
    public var supersedes: UUID?
    public var supersededBy: UUID?

    public init(id: UUID, fields: RecordFields, directory: MemberDirectory) {
        self.id = id
        title = fields.text("title") ?? ""
        type = fields.text("decision_type") ?? ""
        scope = fields.text("scope")
        status = fields.text("status").flatMap(DecisionStatus.init) ?? .proposed
        rationale = fields.text("rationale") ?? ""
        decidedByID = fields.uuid("decided_by")
        decidedBy = decidedByID.map(directory.name)
        decidedOn = fields.text("decided_on")
        cadence = fields.text("cadence")
        reviewOn = fields.text("review_on")
        links = fields.strings("links")
        supersedes = fields.reference("supersedes", into: CollectionSchema.decisions.name)
        supersededBy = fields.reference("superseded_by", into: CollectionSchema.decisions.name)
    }

    /// A decided decision whose review date has come.
    public func isDue(today: String) -> Bool {
        status == .decided && (reviewOn.map { $0 <= today } ?? false)
    }
}

/// What the log is filtered by; every criterion is optional.
public struct DecisionFilter: Sendable, Equatable {
    public var type: String?
    public var status: DecisionStatus?
    public var cadence: String?
    /// A linked record, as `collection/uuid`.
    public var link: String?
    public var decider: UUID?
    /// Decided on or after this day, `YYYY-MM-DD`.
    public var since: String?
    public var until: String?
    /// Only decisions whose review date has passed.
    public var due: Bool

    public init(
        type: String? = nil, status: DecisionStatus? = nil, cadence: String? = nil, link: String? = nil, decider: UUID? = nil,
        since: String? = nil, until: String? = nil, due: Bool = false
    ) {
        self.type = type
        self.status = status
        self.cadence = cadence
        self.link = link
        self.decider = decider
        self.since = since
        self.until = until
        self.due = due
    }

    /// The matching entries, the latest decided first.
    public func apply(to data: GovernanceData, today: String) -> [DecisionEntry] {
        data.decisions.map { DecisionEntry(id: $0.key, fields: $0.value, directory: data.directory) }
            .filter { entry in
                (type == nil || entry.type == type) && (status == nil || entry.status == status)
                    && (cadence == nil || entry.cadence == cadence) && (link.map { entry.links.contains($0.lowercased()) } ?? true)
                    && (decider == nil || entry.decidedByID == decider) && (since.map { (entry.decidedOn ?? "") >= $0 } ?? true)
                    && (until.map { (entry.decidedOn ?? "9999") <= $0 } ?? true) && (!due || entry.isDue(today: today))
            }
            .sorted { ($0.decidedOn ?? "", $0.title) > ($1.decidedOn ?? "", $1.title) }
    }
}
