import AccordCore
import Testing

@Suite("The status math every view shares")
struct StatusMathTests {
    @Test func eachDirectionJudgesAgainstTheTargetAndItsBand() {
        func status(_ actual: Double, _ direction: KPIDirection, _ band: VarianceBand = .percent(10)) -> KPIStatus {
            KPIReading.judge(actual: actual, target: 100, band: band, direction: direction, cumulative: false, elapsed: 0.5).status
        }
        #expect([100, 95, 89].map { status($0, .higherIsBetter) } == [.onTrack, .atRisk, .offTrack])
        #expect([100, 105, 111].map { status($0, .lowerIsBetter) } == [.onTrack, .atRisk, .offTrack])
        #expect([90, 110, 111, 89].map { status($0, .withinRange) } == [.onTrack, .onTrack, .offTrack, .offTrack])
        #expect([96, 94].map { status($0, .higherIsBetter, .absolute(5)) } == [.atRisk, .offTrack], "an absolute band is in the KPI's unit")
        let reading = KPIReading.judge(actual: 90, target: 100, band: .percent(10), direction: .higherIsBetter, cumulative: false, elapsed: 1)
        #expect(reading.variance == -10 && reading.variancePercent == -10 && reading.lower == 90 && reading.upper == 110)
    }

    @Test func nothingIsGuessedWithoutATargetOrData() {
        let untargeted = KPIReading.judge(actual: 5, target: nil, band: nil, direction: .higherIsBetter, cumulative: true, elapsed: 0.5)
        #expect(untargeted.status == .noTarget && untargeted.expected == nil && untargeted.forecast == nil)
        let unmeasured = KPIReading.judge(actual: nil, target: 100, band: .percent(5), direction: .higherIsBetter, cumulative: true, elapsed: 0.5)
        #expect(unmeasured.status == .noData && unmeasured.expected == 50 && unmeasured.variance == nil)
    }

    @Test func aCumulativeKPIIsPacedLinearlyOrByMilestonesAndForecastAtItsRunRate() {
        let halfway = KPIReading.judge(actual: 45, target: 100, band: .percent(20), direction: .higherIsBetter, cumulative: true, elapsed: 0.5)
        #expect(halfway.expected == 50 && halfway.status == .atRisk, "45 of an expected 50, inside the band scaled to date (±10)")
        #expect(halfway.forecast == 90 && halfway.forecastStatus == .atRisk, "at this rate it lands at 90, inside ±20")
        let behind = KPIReading.judge(actual: 30, target: 100, band: .percent(20), direction: .higherIsBetter, cumulative: true, elapsed: 0.5)
        #expect(behind.status == .offTrack && behind.forecast == 60 && behind.forecastStatus == .offTrack)

        let backLoaded = Pacing.milestones([(at: 0.5, share: 0.3), (at: 0.9, share: 0.8)], step: false)
        #expect(backLoaded.share(at: 0.25) == 0.15 && backLoaded.share(at: 0.5) == 0.3 && abs(backLoaded.share(at: 0.7) - 0.55) < 1e-9)
        #expect(abs(backLoaded.share(at: 0.95) - 0.9) < 1e-9 && backLoaded.share(at: 1) == 1)
        let stepped = Pacing.milestones([(at: 0.5, share: 0.3), (at: 0.9, share: 0.8)], step: true)
        #expect(stepped.share(at: 0.49) == 0 && stepped.share(at: 0.5) == 0.3 && stepped.share(at: 0.95) == 0.8)
        let paced = KPIReading.judge(actual: 30, target: 100, band: .percent(20), direction: .higherIsBetter, cumulative: true, elapsed: 0.5, pacing: backLoaded)
        #expect(paced.expected == 30 && paced.status == .onTrack, "30 by halfway is on plan for a back-loaded quarter")
        let pointInTime = KPIReading.judge(actual: 0.18, target: 0.2, band: .absolute(0.03), direction: .higherIsBetter, cumulative: false, elapsed: 0.2)
        #expect(pointInTime.expected == 0.2 && pointInTime.status == .atRisk && pointInTime.forecast == 0.18, "a rate compares its latest value")
    }

    @Test func ratiosRollUpFromTheirPartsAndAdditiveKPIsSum() {
        let regions = [RollUpValue(0.5, numerator: 50, denominator: 100), RollUpValue(0.1, numerator: 10, denominator: 100), RollUpValue(0.9, numerator: 9, denominator: 10)]
        #expect(RollUp.combine(regions, .ratio(numerator: "sqls", denominator: "mqls")) == 69.0 / 210.0, "never the average of the ratios (0.5)")
        #expect(RollUp.combine(regions, .sum) == 1.5 && RollUp.combine(regions, .last) == 0.9 && RollUp.combine(regions, .min) == 0.1)
        #expect(RollUp.combine([RollUpValue(10, weight: 3), RollUpValue(20, weight: 1)], .average) == 12.5, "explicit weights")
        #expect(RollUp.combine([RollUpValue(10), RollUpValue(20)], .average) == 15)
        #expect(RollUp.combine([], .sum) == nil && RollUp.combine([RollUpValue(0, numerator: 1, denominator: 0)], .ratio(numerator: "a", denominator: "b")) == nil)
    }

    @Test func aTargetIsPhasedOverItsMonthsAndThePartsMustAddUp() {
        #expect(Phasing.even.split(300, over: 3, additive: true) == .success([100, 100, 100]))
        #expect(Phasing.even.split(0.2, over: 3, additive: false) == .success([0.2, 0.2, 0.2]), "a rate's target holds in each month")
        #expect(Phasing.weights([1, 1, 2]).split(400, over: 3, additive: true) == .success([100, 100, 200]))
        #expect(Phasing.explicit([90, 100, 110]).split(300, over: 3, additive: true) == .success([90, 100, 110]))
        #expect(Phasing.explicit([90, 100, 100]).split(300, over: 3, additive: true) == .failure(PhasingError(reason: "the months add up to 290, not the target 300")))
        #expect(Phasing.weights([1, 1]).split(300, over: 3, additive: true) == .failure(PhasingError(reason: "2 weights for 3 months; give one per month")))
        #expect(Phasing.weights([0, 0, 0]).split(300, over: 3, additive: true) == .failure(PhasingError(reason: "weights must be zero or more, and not all zero")))
    }

    @Test func aTrendCoversTheLastPeriodsWithItsGapsAndSlope() throws {
        let june = try #require(Period("2026-06"))
        let values: [String: Double] = ["2026-03": 10, "2026-04": 12, "2026-06": 16]
        let series = Trend.series(ending: june, count: 4) { values[$0.description] }
        #expect(series.map(\.period.description) == ["2026-03", "2026-04", "2026-05", "2026-06"])
        #expect(series.map(\.value) == [10, 12, nil, 16])
        #expect(Trend.slope(series.map(\.value)) == 2)
        #expect(Trend.slope([nil, 3]) == nil)
    }
}
