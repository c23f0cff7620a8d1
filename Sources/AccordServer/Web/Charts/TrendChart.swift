import AccordCore
import Foundation

/// A KPI over periods: the actuals as a line with a dot per period coloured and shaped by status, the target
/// as a dashed line inside its acceptable band, and numbered markers where notes annotate a period.
struct TrendChart {
    struct Point {
        var period: String
        var reading: KPIReading
    }

    var title: String
    var unit: String
    var points: [Point]
    /// The index of the point each note marks, and the note's number as listed under the chart.
    var notes: [(index: Int, number: Int)] = []

    static let width = 640.0, height = 220.0
    private static let left = 72.0, right = 12.0, top = 14.0, bottom = 30.0

    func svg() -> String {
        let readings = points.map(\.reading)
        let values = readings.flatMap { [$0.actual, $0.target, $0.upper, $0.lower].compactMap { $0 } }
        let (low, high) = SVG.range(values)
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { Self.left + (points.count > 1 ? Double(index) * step : plotWidth / 2) }
        func y(_ value: Double) -> Double { Self.top + plotHeight - (value - low) / (high - low) * plotHeight }
        var parts: [String] = []
        for fraction in [0.0, 0.5, 1.0] {
            let value = low + (high - low) * fraction / 1.08
            let at = y(value)
            parts.append(#"<line class="grid" x1="\#(SVG.number(Self.left))" x2="\#(SVG.number(Self.width - Self.right))" y1="\#(SVG.number(at))" y2="\#(SVG.number(at))"/>"#)
            parts.append(#"<text class="axis" x="\#(SVG.number(Self.left - 6))" y="\#(SVG.number(at + 4))" text-anchor="end">\#(SVG.escape(KPIFormat.number(value, unit: unit)))</text>"#)
        }
        // The band: the area between each period's lower and upper bounds, run by run.
        let upper = SVG.runs(readings.enumerated().map { (x($0.offset), $0.element.upper.map(y)) })
        let lower = SVG.runs(readings.enumerated().map { (x($0.offset), $0.element.lower.map(y)) })
        for (top, bottom) in zip(upper, lower) where top.count == bottom.count {
            parts.append(#"<polygon class="band" points="\#(SVG.polyline(top + bottom.reversed()))"/>"#)
        }
        for run in SVG.runs(readings.enumerated().map { (x($0.offset), $0.element.target.map(y)) }) {
            parts.append(#"<polyline class="target" points="\#(SVG.polyline(run))"/>"#)
        }
        for run in SVG.runs(readings.enumerated().map { (x($0.offset), $0.element.actual.map(y)) }) {
            parts.append(#"<polyline class="actual" points="\#(SVG.polyline(run))"/>"#)
        }
        let labelEvery = max(1, Int((Double(points.count) / 8).rounded(.up)))
        for (index, point) in points.enumerated() {
            if index % labelEvery == 0 || index == points.count - 1 {
                // The first and last labels keep inside the chart.
                let anchor = points.count == 1 ? "middle" : index == 0 ? "start" : index == points.count - 1 ? "end" : "middle"
                parts.append(#"<text class="axis" x="\#(SVG.number(x(index)))" y="\#(SVG.number(Self.height - 10))" text-anchor="\#(anchor)">\#(SVG.escape(point.period))</text>"#)
            }
            guard let actual = point.reading.actual else { continue }
            let label = "\(point.period): \(KPIFormat.number(actual, unit: unit)), target \(KPIFormat.number(point.reading.target, unit: unit)), \(KPIFormat.statusLabel(point.reading.status))"
            parts.append(Self.marker(point.reading.status, x: x(index), y: y(actual), label: label))
        }
        for note in notes where note.index < points.count {
            let at = x(note.index)
            parts.append(#"<g class="note"><line x1="\#(SVG.number(at))" x2="\#(SVG.number(at))" y1="\#(SVG.number(Self.top))" y2="\#(SVG.number(Self.height - Self.bottom))"/><text x="\#(SVG.number(at + 3))" y="\#(SVG.number(Self.top + 9))">\#(note.number)</text></g>"#)
        }
        let summary = points.last.map { "\($0.period): \(KPIFormat.number($0.reading.actual, unit: unit)) against \(KPIFormat.number($0.reading.target, unit: unit))" } ?? "no periods"
        return #"<svg class="chart trend" viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" role="img" aria-label="\#(SVG.escape("\(title) trend; \(summary)"))">\#(parts.joined())</svg>"#
    }

    /// A dot whose shape says the status as well as its colour: a circle on track, a diamond at risk, a
    /// cross off track.
    static func marker(_ status: KPIStatus, x: Double, y: Double, label: String) -> String {
        let cls = status.rawValue.replacingOccurrences(of: "_", with: "-")
        let title = "<title>\(SVG.escape(label))</title>"
        let (px, py) = (SVG.number(x), SVG.number(y))
        switch status {
        case .atRisk:
            return #"<path class="dot \#(cls)" d="M\#(px) \#(SVG.number(y - 6))l6 6l-6 6l-6-6z">\#(title)</path>"#
        case .offTrack:
            return #"<path class="dot \#(cls)" d="M\#(SVG.number(x - 5)) \#(SVG.number(y - 5))l10 10m0-10l-10 10">\#(title)</path>"#
        default:
            return #"<circle class="dot \#(cls)" cx="\#(px)" cy="\#(py)" r="4.5">\#(title)</circle>"#
        }
    }
}
