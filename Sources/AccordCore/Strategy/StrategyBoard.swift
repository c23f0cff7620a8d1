public import Foundation

/// The strategy as people read it: priorities, the constraints blocking them with what the data says, the plays
/// with their capacity and flags, the "not now" list with its reasons, and the SLAs with their breaches. The
/// same computation on the server and on a replica offline.
public struct StrategyBoard: Sendable, Equatable, Codable {
    public var priorities: [PriorityLine]
    public var constraints: [ConstraintLine]
    public var plays: [PlayLine]
    public var slas: [SLALine]
    public var capacity: Capacity

    public struct PriorityLine: Sendable, Equatable, Codable {
        public var id: UUID
        public var name: String
        public var kind: String
        public var owner: String
        public var horizon: String?
        public var status: String
        /// The keys of the KPIs that name it as the priority they serve.
        public var kpis: [String]
    }

    public struct ConstraintLine: Sendable, Equatable, Codable {
        public var id: UUID
        public var statement: String
        public var priority: UUID?
        public var direction: String
        public var threshold: Double?
        /// Its KPI's unit: a custom label, a currency code, or the unit's name.
        public var unit: String?
        public var reading: ConstraintReading
    }

    public struct PlayLine: Sendable, Equatable, Codable {
        public var id: UUID
        public var name: String
        public var owner: String
        public var status: PlayStatus
        public var capacity: Int?
        public var constraint: UUID?
        public var priority: UUID?
        /// The KPI it expects to move.
        public var expectedKPI: UUID?
        public var rationale: String?
        /// Why it is past its stop criteria, when it is.
        public var pastStop: String?
        public var decision: UUID?
    }

    public struct SLALine: Sendable, Equatable, Codable {
        public var id: UUID
        public var name: String
        public var fromTeam: String
        public var toTeam: String
        public var kpi: String?
        public var breachedWhen: String?
        public var threshold: Double?
        /// The periods it was breached in, latest first.
        public var breaches: [SLABreach]
    }

    /// The active plays against the organization's limit, and their points against the quarter's budget.
    public struct Capacity: Sendable, Equatable, Codable {
        public var active: Int
        public var limit: Int
        public var points: Int
        public var budget: Int?

        public init(active: Int, limit: Int, points: Int, budget: Int?) {
            self.active = active
            self.limit = limit
            self.points = points
            self.budget = budget
        }
    }

    /// The board from the strategy collections `load` gives, read with `spine` (as of its moment).
    public static func compute(spine: KPISpine, load: (String) async throws -> [UUID: RecordFields]) async rethrows -> StrategyBoard {
        let priorities = try await load(CollectionSchema.priorities.name), constraints = try await load(CollectionSchema.constraints.name)
        let plays = try await load(CollectionSchema.plays.name), slas = try await load(CollectionSchema.slas.name)
        let proving = Dictionary(grouping: spine.kpis.values.filter { $0.priority != nil }) { $0.priority! }
        let playLines = plays.map { id, fields in
            PlayLine(
                id: id, name: fields.text("name") ?? "", owner: fields.text("owner") ?? "",
                status: fields.text("status").flatMap(PlayStatus.init) ?? .proposed, capacity: fields.int("capacity").map(Int.init),
                constraint: fields.reference("constraint", into: CollectionSchema.constraints.name),
                priority: fields.reference("priority", into: CollectionSchema.priorities.name),
                expectedKPI: fields.reference("expected_kpi", into: CollectionSchema.kpis.name), rationale: fields.text("rationale"),
                pastStop: spine.stopReason(ofPlay: fields), decision: fields.reference("decision", into: CollectionSchema.decisions.name)
            )
        }.sorted { ($0.status.order, $0.name, $0.id.uuidString) < ($1.status.order, $1.name, $1.id.uuidString) }
        let active = playLines.filter { $0.status == .active }
        return StrategyBoard(
            priorities: priorities.map { id, fields in
                PriorityLine(
                    id: id, name: fields.text("name") ?? "", kind: fields.text("kind") ?? "", owner: fields.text("owner") ?? "",
                    horizon: fields.text("horizon"), status: fields.text("status") ?? PriorityStatus.active.rawValue,
                    kpis: (proving[id] ?? []).map(\.key).sorted()
                )
            }.sorted { ($0.name, $0.id.uuidString) < ($1.name, $1.id.uuidString) },
            constraints: constraints.map { id, fields in
                ConstraintLine(
                    id: id, statement: fields.text("statement") ?? "", priority: fields.reference("priority", into: CollectionSchema.priorities.name),
                    direction: fields.text("direction") ?? "", threshold: RecordedMeasurement.number(fields["threshold"]),
                    unit: fields.reference("kpi", into: CollectionSchema.kpis.name).flatMap { spine.kpis[$0] }.map { $0.unitLabel ?? $0.unit },
                    reading: spine.reading(ofConstraint: fields)
                )
            }.sorted { ($0.statement, $0.id.uuidString) < ($1.statement, $1.id.uuidString) },
            plays: playLines,
            slas: slas.map { id, fields in
                SLALine(
                    id: id, name: fields.text("name") ?? "", fromTeam: fields.text("from_team") ?? "", toTeam: fields.text("to_team") ?? "",
                    kpi: fields.reference("kpi", into: CollectionSchema.kpis.name).flatMap { spine.kpis[$0]?.key }, breachedWhen: fields.text("breached_when"),
                    threshold: RecordedMeasurement.number(fields["threshold"]), breaches: spine.breaches(ofSLA: fields)
                )
            }.sorted { ($0.name, $0.id.uuidString) < ($1.name, $1.id.uuidString) },
            capacity: Capacity(
                active: active.count, limit: spine.settings.activePlayLimit, points: active.reduce(0) { $0 + ($1.capacity ?? 0) },
                budget: spine.settings.playCapacityPerQuarter
            )
        )
    }
}

extension PlayStatus {
    /// Running plays first, then those waiting, then the finished.
    var order: Int {
        switch self {
        case .active: 0
        case .proposed: 1
        case .notNow: 2
        case .done: 3
        case .stopped: 4
        }
    }
}
