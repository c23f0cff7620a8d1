/// Cadence reviews: a review gathers what needs a decision (KPIs off track, SLA breaches, plays past their stop
/// criteria, decisions due for review), each item gets an outcome linked to a decision in the log, and the
/// review closes only when every item has one.
extension CollectionSchema {
    public static let reviews = CollectionSchema(
        name: "reviews",
        fields: [
            FieldSchema("cadence", .text, .lww, required: true, allowedValues: ReviewCadence.allCases.map(\.rawValue)),
            /// The period reviewed, of the cadence's grain: 2026-W45, 2026-11, 2026-Q4.
            FieldSchema("period", .text, .lww, required: true, maxLength: 12),
            FieldSchema("status", .text, .lww, required: true, allowedValues: ReviewStatus.allCases.map(\.rawValue)),
            /// What the review concluded; closing needs one.
            FieldSchema("summary", .text, .lww, maxLength: 8_000, markdown: true),
            FieldSchema("opened_by", .uuid, .lww, serverOwned: true),
            FieldSchema("closed_by", .uuid, .lww, serverOwned: true),
            FieldSchema("closed_at", .timestamp, .lww, serverOwned: true),
        ],
        rules: [CollectionRule("a review closes only when every item has a decision", check: ReviewRules.judgeReview)]
    )

    public static let reviewItems = CollectionSchema(
        name: "review_items",
        fields: [
            FieldSchema("review", .reference, .lww, required: true),
            FieldSchema("kind", .text, .lww, required: true, allowedValues: ReviewItemKind.allCases.map(\.rawValue)),
            /// What it is about, as `collection/uuid`: the KPI, the SLA, the play or the decision.
            FieldSchema("subject", .reference, .lww, required: true),
            FieldSchema("title", .text, .lww, required: true, maxLength: 300),
            FieldSchema("outcome", .text, .lww, allowedValues: ReviewOutcome.allCases.map(\.rawValue)),
            /// The decision in the log that records the outcome.
            FieldSchema("decision", .reference, .lww),
            /// The play or target the outcome changes.
            FieldSchema("changes", .reference, .lww),
        ],
        indexes: [CollectionIndex("by_review", on: ["review"])],
        rules: [CollectionRule("an item's outcome is a logged decision, while its review is open", check: ReviewRules.judgeItem)]
    )
}

public enum ReviewCadence: String, Sendable, Codable, CaseIterable {
    case weekly, monthly, quarterly

    /// The grain of the periods it reviews.
    public var grain: PeriodGrain {
        switch self {
        case .weekly: .week
        case .monthly: .month
        case .quarterly: .quarter
        }
    }
}

extension ReviewCadence {
    /// Whether `period` is spelled as the organization counts: fiscal quarters and years when its fiscal year
    /// is not the calendar year, so a review meets the targets set for the same period.
    public static func spells(_ period: Period, _ settings: OrganizationSettings) -> Bool {
        settings.fiscalYearStartMonth == 1 || period.grain == .week || period.grain == .month || period.fiscal
    }
}

public enum ReviewStatus: String, Sendable, Codable, CaseIterable {
    case open, closed
}

public enum ReviewItemKind: String, Sendable, Codable, CaseIterable {
    /// A KPI outside its acceptable variance.
    case kpi
    /// An SLA breached in the period.
    case sla
    /// A play past its stop criteria.
    case play
    /// A decision whose review date has passed.
    case decision

    /// The decision right an outcome of this kind is logged under (a decision's own type for a decision).
    var decisionType: String? {
        switch self {
        case .kpi: "target.change"
        case .sla: "sla.change"
        case .play: "play.activate"
        case .decision: nil
        }
    }
}

public enum ReviewOutcome: String, Sendable, Codable, CaseIterable {
    /// Do something about it: change the play or target, or act otherwise.
    case act
    /// Keep things as they are, on purpose.
    case hold
    /// Stop the play it is about (or the one it names).
    case stop
}
