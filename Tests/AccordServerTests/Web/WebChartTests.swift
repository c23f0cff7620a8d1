@testable import AccordCore
@testable import AccordServer
import Foundation
import Testing

/// The charts the pages draw on the server: what they show, and that names cannot inject markup.
@Suite struct WebChartTests {
    /// A reading judged as the spine judges it: a point-in-time KPI, higher is better, ±10% acceptable.
    static func reading(_ actual: Double?, target: Double?, status: KPIStatus) -> KPIReading {
        let reading = KPIReading.judge(actual: actual, target: target, band: .percent(10), direction: .higherIsBetter, cumulative: false, elapsed: 1)
        #expect(reading.status == status, "the fixture's \(actual.map { "\($0)" } ?? "gap") reads \(reading.status)")
        return reading
    }

    @Test func aTrendDrawsEachPeriodShapedByStatusAndBreaksAtGaps() {
        let points = [
            TrendChart.Point(period: "2026-01", reading: Self.reading(100, target: 100, status: .onTrack)),
            TrendChart.Point(period: "2026-02", reading: Self.reading(nil, target: 100, status: .noData)),
            TrendChart.Point(period: "2026-03", reading: Self.reading(80, target: 100, status: .offTrack)),
            TrendChart.Point(period: "2026-04", reading: Self.reading(95, target: 100, status: .atRisk)),
        ]
        let svg = TrendChart(title: "MQLs", unit: "count", points: points, notes: [(index: 2, number: 1)]).svg()
        #expect(svg.components(separatedBy: #"<polyline class="actual""#).count - 1 == 2, "the missing month splits the line in two")
        #expect(svg.contains(#"<circle class="dot on-track""#))
        #expect(svg.contains(#"<path class="dot off-track""#), "off track is a cross, not only a colour")
        #expect(svg.contains(#"<path class="dot at-risk""#), "at risk is a diamond")
        #expect(svg.contains("<title>2026-03: 80, target 100, ✖ off track</title>"))
        #expect(svg.contains(#"<g class="note">"#))
        #expect(svg.contains("role=\"img\""))
    }

    @Test func namesCannotInjectMarkup() {
        let hostile = #"<script>alert("x")</script>"#
        let trend = TrendChart(title: hostile, unit: "count", points: [.init(period: hostile, reading: Self.reading(19, target: 20, status: .atRisk))]).svg()
        let pacing = BarCharts.pacing(Self.reading(19, target: 20, status: .atRisk), unit: "count", title: hostile)
        let segments = BarCharts.segments([(label: hostile, reading: Self.reading(19, target: 20, status: .atRisk))], unit: "count", title: hostile)
        for svg in [trend, pacing, segments] {
            #expect(!svg.contains("<script>"))
            #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)"))
        }
    }

    @Test func aLineDiffPairsEachRemovedRunWithTheRunThatReplacedIt() {
        let lines = [
            DefinitionDiff.Line(mark: " ", text: "same"), DefinitionDiff.Line(mark: "-", text: "old 1"), DefinitionDiff.Line(mark: "-", text: "old 2"),
            DefinitionDiff.Line(mark: "+", text: "new 1"), DefinitionDiff.Line(mark: " ", text: "tail"), DefinitionDiff.Line(mark: "+", text: "added"),
        ]
        let rows = AccordAPI.sideBySide(lines)
        #expect(rows.map(\.left) == ["same", "old 1", "old 2", "tail", nil])
        #expect(rows.map(\.right) == ["same", "new 1", nil, "tail", "added"])
        #expect(rows.map(\.leftMark) == ["same", "removed", "removed", "same", "empty"])
    }
}
