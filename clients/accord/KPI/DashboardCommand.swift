import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Show a dashboard computed from the replica, offline: status, target against actual, variance, pacing and trends."
    )

    @Argument(help: "The dashboard's name (or id).")
    var name: String

    @Option(help: ArgumentHelp("The period: 2026-07, 2026-Q3, FY2027, current or previous (default: the dashboard's own).", valueName: "period"))
    var period: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Show it as it stood at the end of this day or at this time.", valueName: "date"))
    var asOf: String?

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let replica = try options.openReplica()
            defer { try? replica.close() }
            let when = try asOf.map(DefCommand.Show.endOfDay) ?? Date()
            let view = try await replica.dashboardView(name, period: period, asOf: when)
            if options.json { return try printJSON(view) }
            DashboardPrinter(width: Terminal.width).print(view, asOf: asOf)
        }
    }
}

/// A dashboard in at most `width` columns.
struct DashboardPrinter {
    var width: Int

    func print(_ view: DashboardView, asOf: String?) {
        Swift.print("\(view.name) · \(view.period)\(asOf.map { " · as of \($0)" } ?? "")\(view.audience.map { " · for \($0)" } ?? "")")
        for tile in view.tiles {
            Swift.print("")
            Swift.print(tile.title)
            switch tile.kind {
            case .table: table(tile.rows)
            case .trend: trend(tile)
            case .segments: segments(tile)
            case .pacing, .number: number(tile)
            }
        }
    }

    private func number(_ tile: DashboardView.Tile) {
        guard let row = tile.rows.first else { return }
        let reading = row.reading
        Swift.print("  \(KPIText.number(reading.actual, unit: row.unit)) of \(KPIText.number(reading.target, unit: row.unit))  \(KPIText.variance(reading))  \(KPIText.status(reading.status))")
        if reading.target != nil {
            let bar = KPIText.bar(reading, width: max(10, min(40, width - 30)))
            Swift.print("  \(bar)  expected \(KPIText.number(reading.expected, unit: row.unit)) by now")
        }
        if let forecast = reading.forecast, let status = reading.forecastStatus, tile.kind == .number {
            Swift.print("  forecast \(KPIText.number(forecast, unit: row.unit)): \(KPIText.status(status))")
        }
    }

    private func trend(_ tile: DashboardView.Tile) {
        guard let points = tile.trend, let unit = tile.rows.first?.unit else { return }
        let values = points.map(\.reading.actual)
        Swift.print("  \(KPIText.sparkline(values))  \(points.first?.period ?? "") → \(points.last?.period ?? "")")
        TableWriter.show(
            [.literal("PERIOD"), .text("ACTUAL", minimum: 6), .text("TARGET", minimum: 6), .text("STATUS", required: true, minimum: 11)],
            points.map { [$0.period, KPIText.number($0.reading.actual, unit: unit), KPIText.number($0.reading.target, unit: unit), KPIText.status($0.reading.status)] },
            width: width
        )
        for note in tile.annotations ?? [] { Swift.print(Terminal.dim("  note\(note.period.map { " \($0)" } ?? ""): \(note.text)")) }
    }

    private func segments(_ tile: DashboardView.Tile) {
        guard let segments = tile.segments, let unit = tile.rows.first?.unit else { return }
        TableWriter.show(
            [.text("SEGMENT", required: true, minimum: 8), .text("ACTUAL", minimum: 6), .text("TARGET", minimum: 6), .text("VAR", minimum: 4), .text("STATUS", required: true, minimum: 11)],
            segments.map { [Self.segmentName($0.segment), KPIText.number($0.reading.actual, unit: unit), KPIText.number($0.reading.target, unit: unit), KPIText.variance($0.reading), KPIText.status($0.reading.status)] },
            width: width
        )
    }

    private func table(_ rows: [DashboardView.Row]) {
        TableWriter.show(
            [.text("KPI", required: true, minimum: 10, maximum: 32), .text("ACTUAL", minimum: 6), .text("TARGET", minimum: 6), .text("VAR", minimum: 4), .text("STATUS", required: true, minimum: 11)],
            rows.map { [$0.name, KPIText.number($0.reading.actual, unit: $0.unit), KPIText.number($0.reading.target, unit: $0.unit), KPIText.variance($0.reading), KPIText.status($0.reading.status)] },
            width: width
        )
    }

    /// `{"region":"EMEA"}` as `EMEA`.
    static func segmentName(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return json }
        return object.keys.sorted().map { "\(object[$0] ?? "")" }.joined(separator: " · ")
    }
}
