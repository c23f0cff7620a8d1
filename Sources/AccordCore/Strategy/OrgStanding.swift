public import Foundation

/// Where one organization stands for one member, in the two minutes before a meeting: the KPIs off track
/// or at risk this period, the reviews still open, and what waits for the member. The web app's
/// portfolio and org home show it; the server and the replica compute it alike.
public struct OrgStanding: Sendable, Equatable, Codable {
    public struct KPILine: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public var owner: String
        public var unit: String
        public var period: String
        public var reading: KPIReading
    }

    public struct OpenReview: Sendable, Equatable, Codable {
        public var id: UUID
        public var cadence: String
        public var period: String
        public var items: Int
        public var undecided: Int
    }

    /// KPIs off track first, then at risk; each judged in its own current period.
    public var attention: [KPILine]
    public var onTrack: Int
    /// KPIs judged this period: with a target and a measurement.
    public var judged: Int
    public var kpis: Int
    public var openReviews: [OpenReview]
    /// The terms of definitions with a proposal waiting for its decision.
    public var proposals: [String]
    public var waiting: [InboxItem]

    public var offTrack: Int { attention.count { $0.reading.status == .offTrack } }

    public static func compute(spine: KPISpine, reviews: [ReviewView], proposals: [String], waiting: [InboxItem]) -> OrgStanding {
        let lines = spine.kpis.values.map { kpi in
            let period = spine.currentPeriod(kpi.grain)
            return KPILine(key: kpi.key, name: kpi.name, owner: kpi.owner, unit: kpi.unitLabel ?? kpi.unit, period: period.description, reading: spine.reading(kpi, period))
        }
        let severity: [KPIStatus: Int] = [.offTrack: 0, .atRisk: 1]
        let attention = lines.filter { severity[$0.reading.status] != nil }
            .sorted { (severity[$0.reading.status] ?? 2, $0.key) < (severity[$1.reading.status] ?? 2, $1.key) }
        let open = reviews.filter { $0.status == .open }.map {
            OpenReview(id: $0.id, cadence: $0.cadence, period: $0.period, items: $0.items.count, undecided: $0.undecided.count)
        }
        return OrgStanding(
            attention: attention, onTrack: lines.count { $0.reading.status == .onTrack },
            judged: lines.count { [.onTrack, .atRisk, .offTrack].contains($0.reading.status) }, kpis: lines.count,
            openReviews: open, proposals: Set(proposals).sorted(),
            waiting: waiting.sorted { ($0.since ?? .distantPast, $0.record, $0.kind.rawValue) < ($1.since ?? .distantPast, $1.record, $1.kind.rawValue) }
        )
    }
}

/// One organization of a member's portfolio: `GET /v1/me/portfolio` answers one per membership, and
/// `accord portfolio` computes the same from each local replica.
public struct PortfolioEntry: Sendable, Equatable, Codable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var role: MemberRole
    public var standing: OrgStanding
    /// The packs it took, with their drift.
    public var packs: [PackStanding]
    /// When the replica it was read from last synced; nil when the server computed it.
    public var syncedAt: Date?

    public init(id: UUID, slug: String, name: String, role: MemberRole, standing: OrgStanding, packs: [PackStanding] = [], syncedAt: Date? = nil) {
        self.id = id
        self.slug = slug
        self.name = name
        self.role = role
        self.standing = standing
        self.packs = packs
        self.syncedAt = syncedAt
    }
}
