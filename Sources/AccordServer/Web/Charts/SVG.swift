import Foundation

/// Small helpers for charts drawn on the server as inline SVG: no script, no fonts to fetch, printable.
enum SVG {
    /// Text made safe inside SVG or HTML.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A coordinate with one decimal, which is finer than a pixel and keeps the markup short.
    static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// The range a value axis spans: from zero (or below it) to a little over the largest value.
    static func range(_ values: [Double]) -> (low: Double, high: Double) {
        let low = min(0, values.min() ?? 0), high = max(values.max() ?? 1, low + 1)
        return (low, high + (high - low) * 0.08)
    }

    /// Points joined into runs: a gap (nil) starts a new run, so a missing month is not drawn as a straight line.
    static func runs(_ points: [(x: Double, y: Double?)]) -> [[(Double, Double)]] {
        var runs: [[(Double, Double)]] = [[]]
        for point in points {
            if let y = point.y { runs[runs.count - 1].append((point.x, y)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        return runs.filter { !$0.isEmpty }
    }

    static func polyline(_ run: [(Double, Double)]) -> String {
        run.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
    }
}
