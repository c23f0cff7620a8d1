import AccordCore
import Foundation

/// Horizontal bars drawn as inline SVG.
enum BarCharts {
    /// How far a period has come: the actual against the target, with a tick where the pacing expects it
    /// to be by now and the acceptable band shaded.
    static func pacing(_ reading: KPIReading, unit: String, title: String) -> String {
        let width = 640.0, height = 44.0, barTop = 10.0, barHeight = 22.0
        let scale = max(reading.target ?? 0, reading.actual ?? 0, reading.upper ?? 0, 1) * 1.05
        func x(_ value: Double) -> Double { max(0, min(width, value / scale * width)) }
        var parts = [#"<rect class="track" x="0" y="\#(barTop)" width="\#(Int(width))" height="\#(barHeight)" rx="3"/>"#]
        if let lower = reading.lower, let upper = reading.upper, upper > lower {
            parts.append(#"<rect class="band" x="\#(SVG.number(x(lower)))" y="\#(barTop - 4)" width="\#(SVG.number(x(upper) - x(lower)))" height="\#(barHeight + 8)"/>"#)
        }
        if let actual = reading.actual {
            let cls = reading.status.rawValue.replacingOccurrences(of: "_", with: "-")
            parts.append(#"<rect class="fill \#(cls)" x="0" y="\#(barTop)" width="\#(SVG.number(x(actual)))" height="\#(barHeight)" rx="3"><title>\#(SVG.escape("actual \(KPIFormat.number(actual, unit: unit))"))</title></rect>"#)
        }
        if let expected = reading.expected {
            parts.append(#"<line class="expected" x1="\#(SVG.number(x(expected)))" x2="\#(SVG.number(x(expected)))" y1="2" y2="\#(Int(height - 2))"><title>\#(SVG.escape("expected by now \(KPIFormat.number(expected, unit: unit))"))</title></line>"#)
        }
        if let target = reading.target {
            parts.append(#"<line class="target" x1="\#(SVG.number(x(target)))" x2="\#(SVG.number(x(target)))" y1="2" y2="\#(Int(height - 2))"><title>\#(SVG.escape("target \(KPIFormat.number(target, unit: unit))"))</title></line>"#)
        }
        let label = "\(title): \(KPIFormat.number(reading.actual, unit: unit)) of \(KPIFormat.number(reading.target, unit: unit)), expected \(KPIFormat.number(reading.expected, unit: unit)) by now"
        return #"<svg class="chart pacing" viewBox="0 0 \#(Int(width)) \#(Int(height))" preserveAspectRatio="none" role="img" aria-label="\#(SVG.escape(label))">\#(parts.joined())</svg>"#
    }

    /// One bar per segment, with a tick at each segment's target.
    static func segments(_ rows: [(label: String, reading: KPIReading)], unit: String, title: String) -> String {
        let rowHeight = 30.0, labelWidth = 150.0, width = 640.0, barWidth = width - labelWidth - 70
        let height = Double(max(rows.count, 1)) * rowHeight
        let scale = max(rows.flatMap { [$0.reading.actual, $0.reading.target].compactMap { $0 } }.max() ?? 1, 1) * 1.05
        var parts: [String] = []
        for (index, row) in rows.enumerated() {
            let y = Double(index) * rowHeight
            let cls = row.reading.status.rawValue.replacingOccurrences(of: "_", with: "-")
            parts.append(#"<text class="axis" x="\#(labelWidth - 8)" y="\#(SVG.number(y + 19))" text-anchor="end">\#(SVG.escape(String(row.label.prefix(22))))</text>"#)
            let length = max(0, (row.reading.actual ?? 0) / scale * barWidth)
            parts.append(#"<rect class="fill \#(cls)" x="\#(labelWidth)" y="\#(SVG.number(y + 6))" width="\#(SVG.number(length))" height="18" rx="2"><title>\#(SVG.escape("\(row.label): \(KPIFormat.number(row.reading.actual, unit: unit)), \(KPIFormat.statusLabel(row.reading.status))"))</title></rect>"#)
            if let target = row.reading.target {
                let at = labelWidth + target / scale * barWidth
                parts.append(#"<line class="target" x1="\#(SVG.number(at))" x2="\#(SVG.number(at))" y1="\#(SVG.number(y + 2))" y2="\#(SVG.number(y + 28))"/>"#)
            }
            parts.append(#"<text class="value" x="\#(SVG.number(labelWidth + length + 6))" y="\#(SVG.number(y + 19))">\#(SVG.escape(KPIFormat.number(row.reading.actual, unit: unit)))</text>"#)
        }
        return #"<svg class="chart segments" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="\#(SVG.escape("\(title) by segment"))">\#(parts.joined())</svg>"#
    }
}
