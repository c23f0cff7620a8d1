public import Foundation

/// How aligned an organization is, graded from its own data: the line of sight from priorities through
/// constraints and plays to KPIs, what hangs loose (orphans), and a stage from 1 to 3 for each dimension of
/// alignment with the reasons and what would raise it. The server and a replica compute it alike.
public struct AlignmentReport: Sendable, Equatable, Codable {
    public var asOf: Date
    public var lineOfSight: [PriorityNode]
    public var orphans: Orphans
    public var stages: [DimensionStage]

    public struct PriorityNode: Sendable, Equatable, Codable {
        public var id: UUID
        public var name: String
        public var status: String
        /// The KPIs that prove it, with their status.
        public var kpis: [KPILine]
        public var constraints: [ConstraintNode]
        /// Plays that serve it without naming a constraint.
        public var plays: [PlayNode]
    }

    public struct ConstraintNode: Sendable, Equatable, Codable {
        public var id: UUID
        public var statement: String
        /// Its KPI's unit, for showing the reading's value.
        public var unit: String?
        public var reading: ConstraintReading
        public var plays: [PlayNode]
    }

    public struct PlayNode: Sendable, Equatable, Codable {
        public var id: UUID
        public var name: String
        public var status: PlayStatus
        public var pastStop: String?
        /// The KPI it expects to move, with its status.
        public var kpi: KPILine?
    }

    public struct KPILine: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public var period: String
        public var status: KPIStatus
    }

    /// What hangs loose, by name.
    public struct Orphans: Sendable, Equatable, Codable {
        /// Plays (not done or stopped) with neither a constraint nor a priority.
        public var plays: [String] = []
        public var kpisWithoutOwner: [String] = []
        /// KPIs with no target for their current period (or a period holding it).
        public var kpisWithoutTarget: [String] = []
        public var kpisWithoutDefinition: [String] = []
        /// Definitions KPIs measure that have no approved version, or are deprecated.
        public var definitionsNotApproved: [String] = []
        /// "Dashboard: kpi" for each KPI a dashboard shows without a target.
        public var dashboardKPIsWithoutTarget: [String] = []
        public var slasWithoutKPI: [String] = []

        public var count: Int {
            plays.count + kpisWithoutOwner.count + kpisWithoutTarget.count + kpisWithoutDefinition.count + definitionsNotApproved.count
                + dashboardKPIsWithoutTarget.count + slasWithoutKPI.count
        }
    }

    /// The report from the spine, the strategy board and the other collections `load` gives.
    public static func compute(spine: KPISpine, board: StrategyBoard, load: (String) async throws -> [UUID: RecordFields]) async rethrows -> AlignmentReport {
        let facts = AlignmentFacts(
            spine: spine, board: board, definitions: try await load(CollectionSchema.definitions.name),
            dashboards: try await load(CollectionSchema.dashboards.name),
            reviews: ReviewView.all(reviews: try await load(CollectionSchema.reviews.name), items: try await load(CollectionSchema.reviewItems.name))
        )
        return AlignmentReport(asOf: spine.asOf, lineOfSight: facts.lineOfSight, orphans: facts.orphans, stages: AlignmentStages.grade(facts))
    }
}

/// What the report reads, and the parts every stage rule shares.
struct AlignmentFacts {
    let spine: KPISpine
    let board: StrategyBoard
    let definitions: [UUID: RecordFields]
    let dashboards: [UUID: RecordFields]
    let reviews: [ReviewView]

    func line(_ kpi: KPI) -> AlignmentReport.KPILine {
        let period = spine.currentPeriod(kpi.grain)
        return AlignmentReport.KPILine(key: kpi.key, name: kpi.name, period: period.description, status: spine.reading(kpi, period).status)
    }

    /// Whether the KPI has a target for its current period, set for it or for a period holding it.
    func hasTarget(_ kpi: KPI) -> Bool {
        spine.target(kpi, spine.currentPeriod(kpi.grain)) != nil
    }

    /// The plays still in play: proposed, active or not now.
    var livePlays: [StrategyBoard.PlayLine] { board.plays.filter { $0.status != .done && $0.status != .stopped } }
    var activePlays: [StrategyBoard.PlayLine] { board.plays.filter { $0.status == .active } }

    /// The priority a play serves, directly or through its constraint.
    func priority(of play: StrategyBoard.PlayLine) -> UUID? {
        play.priority ?? play.constraint.flatMap { id in board.constraints.first { $0.id == id }?.priority }
    }

    var lineOfSight: [AlignmentReport.PriorityNode] {
        let kpisByID = spine.kpis
        func node(_ play: StrategyBoard.PlayLine) -> AlignmentReport.PlayNode {
            let expected = play.expectedKPI.flatMap { kpisByID[$0] }.map(line)
            return AlignmentReport.PlayNode(id: play.id, name: play.name, status: play.status, pastStop: play.pastStop, kpi: expected)
        }
        return board.priorities.map { priority in
            let constraints = board.constraints.filter { $0.priority == priority.id }
            return AlignmentReport.PriorityNode(
                id: priority.id, name: priority.name, status: priority.status,
                kpis: priority.kpis.compactMap { spine.kpi($0) }.map(line),
                constraints: constraints.map { constraint in
                    AlignmentReport.ConstraintNode(
                        id: constraint.id, statement: constraint.statement, unit: constraint.unit, reading: constraint.reading,
                        plays: board.plays.filter { $0.constraint == constraint.id }.map(node)
                    )
                },
                plays: board.plays.filter { $0.constraint == nil && $0.priority == priority.id }.map(node)
            )
        }
    }

    var orphans: AlignmentReport.Orphans {
        var orphans = AlignmentReport.Orphans()
        let kpis = spine.kpis.values.sorted { $0.key < $1.key }
        orphans.plays = livePlays.filter { $0.constraint == nil && $0.priority == nil }.map(\.name).sorted()
        orphans.kpisWithoutOwner = kpis.filter { $0.owner.isEmpty }.map(\.key)
        orphans.kpisWithoutTarget = kpis.filter { !hasTarget($0) }.map(\.key)
        orphans.kpisWithoutDefinition = kpis.filter { $0.definition == nil }.map(\.key)
        orphans.definitionsNotApproved = Set(kpis.compactMap(\.definition)).compactMap { id -> String? in
            guard let fields = definitions[id] else { return nil }
            let approved = fields.text("current_version") != nil && fields.text("status") != "deprecated"
            return approved ? nil : fields.text("term")
        }.sorted()
        for (_, dashboard) in dashboards.sorted(by: { ($0.value.text("name") ?? "") < ($1.value.text("name") ?? "") }) {
            let keys = Set(((try? DashboardView.tiles(dashboard)) ?? []).flatMap(\.keys).map { $0.lowercased() })
            for key in keys.sorted() {
                guard let kpi = spine.kpi(key), !hasTarget(kpi) else { continue }
                orphans.dashboardKPIsWithoutTarget.append("\(dashboard.text("name") ?? "a dashboard"): \(key)")
            }
        }
        orphans.slasWithoutKPI = board.slas.filter { $0.kpi == nil }.map(\.name)
        return orphans
    }
}
