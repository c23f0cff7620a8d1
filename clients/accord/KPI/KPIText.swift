import AccordCore
import Foundation

/// KPI numbers and statuses as a person reads them on a terminal: a label that does not need colour, and
/// colour where the terminal has it.
enum KPIText {
    static func status(_ status: KPIStatus) -> String {
        let label: String = switch status {
        case .onTrack: "✔ on track"
        case .atRisk: "! at risk"
        case .offTrack: "✖ off track"
        case .noTarget: "– no target"
        case .noData: "– no data"
        }
        switch status {
        case .onTrack: return Terminal.green(label)
        case .atRisk: return Terminal.yellow(label)
        case .offTrack: return Terminal.red(label)
        default: return Terminal.dim(label)
        }
    }

    /// 1,234 · 12.5% · $1.2M: short enough for a tile, exact enough to act on.
    static func number(_ value: Double?, unit: String) -> String {
        guard let value else { return "—" }
        switch unit {
        case "percent": return String(format: "%.1f%%", value * (abs(value) <= 1.5 ? 100 : 1))
        default:
            let magnitude = abs(value)
            let prefix = ["currency", "USD", "EUR", "GBP"].contains(unit) ? (unit == "EUR" ? "€" : unit == "GBP" ? "£" : "$") : ""
            if magnitude >= 1_000_000 { return prefix + String(format: "%.1fM", value / 1_000_000) }
            if magnitude >= 10_000 { return prefix + String(format: "%.0fk", value / 1_000) }
            if magnitude >= 1e15 { return prefix + String(format: "%.3g", value) }
            if value == value.rounded() || magnitude >= 100 {
                return prefix + Int64(value.rounded()).formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
            }
            return prefix + String(format: magnitude >= 10 ? "%.1f" : "%.2f", value)
        }
    }

    static func variance(_ reading: KPIReading) -> String {
        guard let percent = reading.variancePercent else { return "" }
        return String(format: "%+.0f%%", percent)
    }

    /// `███████░░░` of `width` cells: the actual against what was expected by now, capped at full.
    static func bar(_ reading: KPIReading, width: Int) -> String {
        guard let actual = reading.actual, let target = reading.target, target != 0 else { return String(repeating: "·", count: width) }
        let filled = max(0, min(width, Int((actual / target * Double(width)).rounded())))
        let expected = reading.expected.map { max(0, min(width - 1, Int(($0 / target * Double(width)).rounded()))) }
        var cells = Array(String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled))
        if let expected, expected < width { cells[expected] = "│" }
        return String(cells)
    }

    /// A sparkline of the values there are; a gap shows as a space.
    static func sparkline(_ values: [Double?]) -> String {
        let known = values.compactMap { $0 }
        guard let low = known.min(), let high = known.max() else { return String(repeating: " ", count: values.count) }
        let blocks = Array("▁▂▃▄▅▆▇█")
        return String(values.map { value in
            guard let value else { return " " }
            return high == low ? blocks[3] : blocks[Int(((value - low) / (high - low) * 7).rounded())]
        })
    }
}
