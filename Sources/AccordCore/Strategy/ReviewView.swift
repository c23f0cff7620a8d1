public import Foundation

/// A review as people read it: its period, its items in order with their outcomes, and whether it can close.
public struct ReviewView: Sendable, Equatable, Codable {
    public var id: UUID
    public var cadence: String
    public var period: String
    public var status: ReviewStatus
    public var summary: String?
    public var openedBy: UUID?
    public var closedBy: UUID?
    public var closedAt: Date?
    public var items: [ItemView]

    public struct ItemView: Sendable, Equatable, Codable {
        public var id: UUID
        public var kind: ReviewItemKind
        public var subject: String
        public var title: String
        public var outcome: ReviewOutcome?
        public var decision: UUID?
        public var changes: String?
    }

    /// The items still without an outcome and its decision.
    public var undecided: [ItemView] { items.filter { $0.outcome == nil || $0.decision == nil } }

    /// The review `id` from the `reviews` and `review_items` records.
    public init?(_ id: UUID, reviews: [UUID: RecordFields], items: [UUID: RecordFields]) {
        guard let fields = reviews[id] else { return nil }
        self.id = id
        cadence = fields.text("cadence") ?? ""
        period = fields.text("period") ?? ""
        status = fields.text("status").flatMap(ReviewStatus.init) ?? .open
        summary = fields.text("summary")
        openedBy = fields.text("opened_by").flatMap(UUID.init(canonical:))
        closedBy = fields.text("closed_by").flatMap(UUID.init(canonical:))
        closedAt = fields.time("closed_at")
        let reference = "\(CollectionSchema.reviews.name)/\(id.lowercasedText)"
        self.items = items.filter { $0.value.text("review") == reference }.map { itemID, item in
            ItemView(
                id: itemID, kind: item.text("kind").flatMap(ReviewItemKind.init) ?? .decision, subject: item.text("subject") ?? "",
                title: item.text("title") ?? "", outcome: item.text("outcome").flatMap(ReviewOutcome.init),
                decision: item.reference("decision", into: CollectionSchema.decisions.name), changes: item.text("changes")
            )
        }.sorted { (Self.order($0.kind), $0.title, $0.id.uuidString) < (Self.order($1.kind), $1.title, $1.id.uuidString) }
    }

    /// Every review, latest period first, open before closed within a period.
    public static func all(reviews: [UUID: RecordFields], items: [UUID: RecordFields]) -> [ReviewView] {
        reviews.keys.compactMap { ReviewView($0, reviews: reviews, items: items) }
            .sorted { a, b in
                // By when the period ends, since spellings of different grains do not sort by text.
                let (aEnd, bEnd) = (Period(a.period)?.end ?? 0, Period(b.period)?.end ?? 0)
                if aEnd != bEnd { return aEnd > bEnd }
                if a.period != b.period { return a.period > b.period }
                if a.status != b.status { return a.status == .open }
                return a.id.uuidString < b.id.uuidString
            }
    }

    private static func order(_ kind: ReviewItemKind) -> Int {
        ReviewItemKind.allCases.firstIndex(of: kind) ?? 0
    }
}
