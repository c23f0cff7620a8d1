import AccordCore
import Foundation

/// KPI numbers and statuses as a person reads them on a terminal: a label that does not need colour, and
/// colour where the terminal has it.
enum KPIText {
    static func status(_ status: KPIStatus) -> String {
        let label = KPIFormat.statusLabel(status)
        switch status {
        case .onTrack: return Terminal.green(label)
        case .atRisk: return Terminal.yellow(label)
        case .offTrack: return Terminal.red(label)
        default: return Terminal.dim(label)
        }
    }

    static func number(_ value: Double?, unit: String) -> String {
        KPIFormat.number(value, unit: unit)
    }

    static func variance(_ reading: KPIReading) -> String {
        KPIFormat.variance(reading)
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
