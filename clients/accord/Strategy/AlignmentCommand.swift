import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct AlignmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alignment", abstract: "The alignment report, offline: line of sight, orphans, and a stage from 1 to 3 per dimension."
    )

    @Option(help: ArgumentHelp("Read it as of the end of this day (YYYY-MM-DD) or this time.", valueName: "date"))
    var asOf: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let replica = try options.openReplica()
            defer { try? replica.close() }
            let moment = try asOf.map(DefCommand.Show.endOfDay) ?? Date()
            let report = try await replica.alignment(asOf: moment)
            if options.json { return try printJSON(report) }
            AlignmentPrinter(width: Terminal.width).print(report)
        }
    }
}

/// The report as a tree, a list and a graded table, wrapped to the terminal.
struct AlignmentPrinter {
    var width: Int

    func print(_ report: AlignmentReport) {
        Swift.print("Alignment · as of \(CalendarDate.text(report.asOf))")
        Swift.print("\nLine of sight")
        if report.lineOfSight.isEmpty { Swift.print("  No priorities yet; accord records priorities new ... adds one.") }
        for priority in report.lineOfSight {
            line("", "", "\(priority.name) (\(priority.status))")
            let kpis = priority.kpis.map { "\($0.key) \(KPIText.status($0.status))" }
            line("  ", "  ", "KPIs: " + (kpis.isEmpty ? "none prove it" : kpis.joined(separator: " · ")))
            let branches = priority.constraints.map { Branch.constraint($0) } + priority.plays.map { Branch.play($0) }
            for (index, branch) in branches.enumerated() {
                let last = index == branches.count - 1
                switch branch {
                case .constraint(let constraint):
                    let value = constraint.reading.value.map { " (\(KPIText.number($0, unit: constraint.unit ?? "")) in \(constraint.reading.period ?? ""))" } ?? ""
                    line(last ? "  └ " : "  ├ ", last ? "    " : "  │ ", "\(constraint.statement): \(StrategyText.state(constraint.reading.state))\(value)")
                    for (playIndex, play) in constraint.plays.enumerated() {
                        let lastPlay = playIndex == constraint.plays.count - 1
                        let stem = last ? "    " : "  │ "
                        line(stem + (lastPlay ? "└ " : "├ "), stem + (lastPlay ? "  " : "│ "), describe(play))
                    }
                case .play(let play):
                    line(last ? "  └ " : "  ├ ", last ? "    " : "  │ ", describe(play))
                }
            }
        }
        Swift.print("\nOrphans")
        let orphans = report.orphans
        let groups: [(String, [String])] = [
            ("Plays with no constraint or priority", orphans.plays), ("KPIs with no owner", orphans.kpisWithoutOwner),
            ("KPIs with no target", orphans.kpisWithoutTarget), ("KPIs with no definition", orphans.kpisWithoutDefinition),
            ("Definitions in use, not approved", orphans.definitionsNotApproved), ("Dashboards showing KPIs with no target", orphans.dashboardKPIsWithoutTarget),
            ("SLAs with no KPI", orphans.slasWithoutKPI),
        ]
        if orphans.count == 0 { Swift.print("  None: everything traces to something.") }
        for (title, names) in groups where !names.isEmpty { line("  ", "    ", "\(title): \(names.joined(separator: ", "))") }
        Swift.print("\nStages (1 activity aligned, 3 outcome aligned)")
        for stage in report.stages {
            let meter = String(repeating: "■", count: stage.stage) + String(repeating: "□", count: 3 - stage.stage)
            Swift.print("  \(meter) \(stage.stage)  \(stage.dimension.title)")
            for reason in stage.reasons { line("         ", "         ", reason) }
            if let raise = stage.toRaise { line("         ", "         ", Terminal.dim("To raise it: \(raise)")) }
        }
    }

    private enum Branch {
        case constraint(AlignmentReport.ConstraintNode)
        case play(AlignmentReport.PlayNode)
    }

    private func describe(_ play: AlignmentReport.PlayNode) -> String {
        var text = "\(play.name) · \(play.status.label)"
        if let kpi = play.kpi { text += " · moves \(kpi.key) \(KPIText.status(kpi.status))" }
        if let stop = play.pastStop { text += " · \(Terminal.yellow("! \(stop)"))" }
        return text
    }

    /// `text` wrapped after `first` on its first line and `rest` on the others.
    private func line(_ first: String, _ rest: String, _ text: String) {
        for (index, part) in Wrapping.lines(text, width: max(20, width - DisplayText.width(first))).enumerated() {
            Swift.print((index == 0 ? first : rest) + part)
        }
    }
}
