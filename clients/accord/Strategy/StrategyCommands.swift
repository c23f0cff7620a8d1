import AccordClient
import AccordCore
import ArgumentParser
import Foundation

extension GlobalOptions {
    /// Opens the replica and computes its strategy board, as of now.
    func withBoard(_ body: (Replica, StrategyBoard) async throws -> Void) async throws {
        let replica = try openReplica()
        defer { try? replica.close() }
        try await body(replica, try await replica.strategyBoard())
    }
}

struct PrioritiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "priorities", abstract: "The corporate priorities, with the KPIs that prove each, offline.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withBoard { _, board in
                if options.json { return try printJSON(board.priorities) }
                guard !board.priorities.isEmpty else { return print("No priorities in this replica; accord records priorities new ... adds one.") }
                TableWriter.show(
                    [.text("PRIORITY", required: true, minimum: 12, maximum: 40), .literal("KIND", required: false), .literal("HORIZON", required: false),
                     .text("STATUS", minimum: 6), .text("KPIS", minimum: 8, maximum: 40)],
                    board.priorities.map { [$0.name, $0.kind.replacingOccurrences(of: "_", with: " "), $0.horizon ?? "–", $0.status, $0.kpis.isEmpty ? "none" : $0.kpis.joined(separator: ", ")] }
                )
            }
        }
    }
}

struct ConstraintsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "constraints", abstract: "What blocks each priority, and whether the data says it still holds.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withBoard { _, board in
                if options.json { return try printJSON(board.constraints) }
                guard !board.constraints.isEmpty else { return print("No constraints in this replica; accord records constraints new ... adds one.") }
                TableWriter.show(
                    [.text("CONSTRAINT", required: true, minimum: 16, maximum: 44), .literal("KPI", required: false), .text("LATEST", minimum: 17),
                     .text("STATE", required: true, minimum: 9)],
                    board.constraints.map { line in
                        let latest = line.reading.value.map { "\(KPIText.number($0, unit: line.unit ?? "")) in \(line.reading.period ?? "")" } ?? "–"
                        return [line.statement, line.reading.kpi ?? "–", latest, StrategyText.state(line.reading.state)]
                    }
                )
            }
        }
    }
}

struct PlaysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plays", abstract: "The plays, their capacity against the limit and budget, and the \"not now\" list.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withBoard { _, board in
                if options.json { return try printJSON(PlaysOutput(capacity: board.capacity, plays: board.plays)) }
                guard !board.plays.isEmpty else { return print("No plays in this replica; accord records plays new ... proposes one.") }
                let capacity = board.capacity
                print("\(capacity.active) of \(capacity.limit) active plays" + (capacity.budget.map { " · \(capacity.points) of \($0) points this quarter" } ?? " · \(capacity.points) points"))
                let shown = board.plays.filter { $0.status != .notNow }
                TableWriter.show(
                    [.text("PLAY", required: true, minimum: 12, maximum: 40), .text("STATUS", required: true, minimum: 8), .literal("POINTS", required: false),
                     .text("OWNER", minimum: 8, maximum: 20), .literal("FLAG", required: false)],
                    shown.map { [$0.name, $0.status.label, $0.capacity.map(String.init) ?? "–", StrategyText.holder($0.owner), $0.pastStop == nil ? "" : Terminal.yellow("! stop")] }
                )
                for play in shown where play.pastStop != nil {
                    StrategyText.item("! \(play.name) is \(play.pastStop ?? "")")
                }
                let deferred = board.plays.filter { $0.status == .notNow }
                guard !deferred.isEmpty else { return }
                print("\nNot now")
                for play in deferred { StrategyText.item("- \(play.name): \(play.rationale ?? "no reason recorded")") }
            }
        }
    }

    struct PlaysOutput: Encodable {
        var capacity: StrategyBoard.Capacity
        var plays: [StrategyBoard.PlayLine]
    }
}

struct SLAsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slas", abstract: "The SLAs between teams and their breaches in the last \(KPISpine.lookBack) periods.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            try await options.withBoard { _, board in
                if options.json { return try printJSON(board.slas) }
                guard !board.slas.isEmpty else { return print("No SLAs in this replica; accord records slas new ... proposes one.") }
                TableWriter.show(
                    [.text("SLA", required: true, minimum: 16, maximum: 44), .text("TEAMS", minimum: 18, maximum: 30), .text("BREACHES", required: true, minimum: 18)],
                    board.slas.map { sla in
                        let breaches = sla.breaches.first.map { "✖ \(sla.breaches.count), last \($0.period)" } ?? (sla.kpi == nil ? "not measured" : "✔ none")
                        return [sla.name, "\(sla.fromTeam) → \(sla.toTeam)", breaches]
                    }
                )
            }
        }
    }
}

enum StrategyText {
    static func state(_ state: ConstraintReading.State) -> String {
        switch state {
        case .holds: Terminal.red("✖ holds")
        case .cleared: Terminal.green("✔ cleared")
        case .noData: "– no data"
        }
    }

    /// A line of a list, wrapped to the terminal and indented under its marker.
    static func item(_ text: String) {
        for (index, line) in Wrapping.lines(text, width: Terminal.width - 4).enumerated() {
            print((index == 0 ? "  " : "    ") + line)
        }
    }

    /// `team:Sales` as "Sales"; a member by id stays as it is.
    static func holder(_ text: String) -> String {
        text.hasPrefix("team:") ? String(text.dropFirst(5)) : text
    }
}
