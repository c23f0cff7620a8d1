import Foundation

/// KPI numbers and statuses as a person reads them, the same in the terminal and in the browser: a status
/// label that does not need colour, and numbers short enough for a tile but exact enough to act on.
public enum KPIFormat {
    public static func statusLabel(_ status: KPIStatus) -> String {
        switch status {
        case .onTrack: "✔ on track"
        case .atRisk: "! at risk"
        case .offTrack: "✖ off track"
        case .noTarget: "– no target"
        case .noData: "– no data"
        }
    }

    /// 1,234 · 12.5% · $1.2M.
    public static func number(_ value: Double?, unit: String) -> String {
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

    /// The variance as a signed percentage of what was expected: "+12%", or "" when there is none.
    public static func variance(_ reading: KPIReading) -> String {
        guard let percent = reading.variancePercent else { return "" }
        return String(format: "%+.0f%%", percent)
    }
}
