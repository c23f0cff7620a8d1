import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct KPIsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpis", abstract: "The KPI spine with each KPI's status this period, offline.")

    @Option(help: ArgumentHelp("The period to judge (default: each KPI's current period).", valueName: "period"))
    var period: String?

    @OptionGroup var options: GlobalOptions

    struct Line: Encodable {
        var kpi: KPI
        var period: String
        var reading: KPIReading
    }

    func run() async throws {
        try await reporting {
            let replica = try options.openReplica()
            defer { try? replica.close() }
            let spine = try await replica.kpiSpine()
            let lines = try spine.kpis.values.sorted { $0.key < $1.key }.map { kpi in
                let chosen = try period.map { try KPIPeriod.parse($0, spine.settings) } ?? spine.currentPeriod(kpi.grain)
                return Line(kpi: kpi, period: chosen.description, reading: spine.reading(kpi, chosen))
            }
            if options.json { return try printJSON(lines) }
            guard !lines.isEmpty else { return print("No KPIs in this replica; accord sync fetches them.") }
            TableWriter.show(
                [.literal("KEY"), .text("NAME", minimum: 8, maximum: 30), .literal("PERIOD", required: false), .text("ACTUAL", minimum: 6),
                 .text("TARGET", minimum: 6), .text("STATUS", required: true, minimum: 11)],
                lines.map { [$0.kpi.key, $0.kpi.name, $0.period, KPIText.number($0.reading.actual, unit: $0.kpi.unitLabel ?? $0.kpi.unit),
                             KPIText.number($0.reading.target, unit: $0.kpi.unitLabel ?? $0.kpi.unit), KPIText.status($0.reading.status)] }
            )
        }
    }
}

enum KPIPeriod {
    static func parse(_ text: String, _ settings: OrganizationSettings) throws -> Period {
        guard let period = settings.period(text) else { throw ClientError.invalidInput("'\(text)' is not a period; spell it like \(Period.spelling)") }
        return period
    }
}

struct KPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpi", abstract: "One KPI: its definition, owner, source, targets, recent actuals and status.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        @Argument(help: "The KPI's key.")
        var key: String

        @OptionGroup var options: GlobalOptions

        struct Output: Encodable {
            var kpi: KPI
            var trend: [DashboardView.TrendPoint]
            var corrections: Int
        }

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let spine = try await replica.kpiSpine()
                let kpi = try replica.kpi(key, in: spine)
                let trend = Trend.series(ending: spine.currentPeriod(kpi.grain), count: 6, fiscalStartMonth: spine.settings.fiscalYearStartMonth) { _ in nil }
                    .map { DashboardView.TrendPoint(period: $0.period.description, reading: spine.reading(kpi, $0.period)) }
                let corrections = spine.actuals.all.filter { $0.kpi == kpi.id && $0.supersedes != nil }.count
                if options.json { return try printJSON(Output(kpi: kpi, trend: trend, corrections: corrections)) }
                print("\(kpi.name) (\(kpi.key))")
                print("owner \(kpi.owner) · \(kpi.aggregation) · \(kpi.direction.rawValue.replacingOccurrences(of: "_", with: " ")) · by \(kpi.grain.rawValue)")
                let unit = kpi.unitLabel ?? kpi.unit
                print("  \(KPIText.sparkline(trend.map(\.reading.actual)))")
                TableWriter.show(
                    [.literal("PERIOD"), .text("ACTUAL", minimum: 6), .text("TARGET", minimum: 6), .text("VAR", minimum: 4), .text("STATUS", required: true, minimum: 11)],
                    trend.map { [$0.period, KPIText.number($0.reading.actual, unit: unit), KPIText.number($0.reading.target, unit: unit), KPIText.variance($0.reading), KPIText.status($0.reading.status)] }
                )
                if corrections > 0 { print(Terminal.dim("\(corrections) correction\(corrections == 1 ? "" : "s") recorded; the latest of each counts")) }
            }
        }
    }
}

struct TargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "target", abstract: "Set a KPI's target for a period, offline; target.change decides who may.", subcommands: [Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set or change a target: accord target set mqls 2026-Q3 1200 --variance 10%")

        @Argument(help: "The KPI's key.")
        var kpi: String

        @Argument(help: "The period, such as 2026-07, 2026-Q3 or FY2027.")
        var period: String

        @Argument(help: "The target value.")
        var value: Double

        @Option(help: ArgumentHelp("The acceptable variance: 10% of the target, or 50 in the KPI's unit.", valueName: "band"))
        var variance: String?

        @Option(help: "Why; the decision log keeps it.")
        var rationale: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let band: VarianceBand?
                switch variance {
                case nil: band = nil
                case let text? where text.hasSuffix("%"):
                    guard let percent = Double(text.dropLast()), percent >= 0 else { throw ClientError.invalidInput("--variance must be a percentage such as 10% or an amount such as 50") }
                    band = .percent(percent)
                case let text?:
                    guard let amount = Double(text), amount >= 0 else { throw ClientError.invalidInput("--variance must be a percentage such as 10% or an amount such as 50") }
                    band = .absolute(amount)
                }
                let spine = try await replica.kpiSpine()
                let written = try await replica.setTarget(try replica.kpi(kpi, in: spine), period: try KPIPeriod.parse(period, spine.settings).description, value: value, band: band, rationale: rationale)
                try printQueued(replica, "set the \(kpi) target for \(period) to \(KPIText.number(value, unit: ""))", warning: written.warning)
            }
        }
    }
}

struct ActualsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "actuals", abstract: "Record actuals, offline; a second value for the same period corrects the first.", subcommands: [Record.self, Import.self])

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record one actual: accord actuals record mqls 2026-07 412 --segment region=EMEA")

        @Argument(help: "The KPI's key.")
        var kpi: String

        @Argument(help: "The period, at the KPI's grain.")
        var period: String

        @Argument(help: "The value.")
        var value: Double

        @Option(help: ArgumentHelp("A segment as dimension=value; repeatable.", valueName: "dimension=value"))
        var segment: [String] = []

        @Option(help: "Where the number comes from, such as Salesforce.")
        var source: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let replica = try options.openReplica()
                defer { try? replica.close() }
                var dimensions: [String: String] = [:]
                for part in segment {
                    let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pieces.count == 2, !pieces[0].isEmpty else { throw ClientError.invalidInput("--segment takes dimension=value, such as region=EMEA") }
                    dimensions[pieces[0]] = pieces[1]
                }
                let json = dimensions.isEmpty ? nil : String(decoding: try JSONSerialization.data(withJSONObject: dimensions, options: [.sortedKeys]), as: UTF8.self)
                let spine = try await replica.kpiSpine()
                let target = try replica.kpi(kpi, in: spine)
                let written = try await replica.recordActual(target, period: try KPIPeriod.parse(period, spine.settings).description, value: value, segment: json, source: source)
                try printQueued(replica, "recorded \(kpi) \(period) = \(KPIText.number(value, unit: ""))", warning: written.warning)
            }
        }
    }
}
