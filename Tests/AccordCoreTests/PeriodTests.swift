import AccordCore
import Testing

@Suite("Periods: weeks, months, calendar and fiscal quarters and years")
struct PeriodTests {
    func day(_ text: String) -> Int64 { CalendarDate.days(text)! }

    @Test func periodsParseToTheirDays() throws {
        let month = try #require(Period("2026-02"))
        #expect(month.grain == .month && month.start == day("2026-02-01") && month.end == day("2026-03-01") && month.days == 28)
        let quarter = try #require(Period("2026-q3"))
        #expect(quarter.description == "2026-Q3" && quarter.start == day("2026-07-01") && quarter.end == day("2026-10-01"))
        #expect(Period("2026")?.days == 365 && Period("2028")?.days == 366)
        let week = try #require(Period("2026-W01"))
        #expect(week.start == day("2025-12-29") && week.days == 7, "ISO week 1 holds the year's first Thursday")
        #expect(Period("2026-W53") != nil && Period("2027-W53") == nil, "2026 begins on a Thursday, so it has 53 ISO weeks; 2027 has 52")
        for bad in ["2026-13", "2026-Q5", "26-01", "FY27", "2026-1", "Q3", ""] { #expect(Period(bad) == nil, "\(bad)") }
    }

    @Test func fiscalYearsAreNamedByTheYearTheyEndIn() throws {
        let year = try #require(Period("FY2027", fiscalStartMonth: 2))
        #expect(year.fiscal && year.start == day("2026-02-01") && year.end == day("2027-02-01"))
        let q1 = try #require(Period("FY2027-Q1", fiscalStartMonth: 2))
        #expect(q1.start == day("2026-02-01") && q1.end == day("2026-05-01"))
        #expect(q1.months.map(\.description) == ["2026-02", "2026-03", "2026-04"])
        #expect(Period("FY2026", fiscalStartMonth: 1)?.start == day("2026-01-01"), "a January start is the calendar year")
        let containing = Period.containing(day("2027-01-15"), grain: .quarter, fiscal: true, fiscalStartMonth: 2)
        #expect(containing.description == "FY2027-Q4")
        #expect(Period.containing(day("2026-02-01"), grain: .year, fiscal: true, fiscalStartMonth: 2).description == "FY2027")
        #expect(Period.containing(day("2026-08-09"), grain: .quarter).description == "2026-Q3")
        #expect(Period.containing(day("2026-01-01"), grain: .week).description == "2026-W01")
    }

    @Test func periodsShiftAndMeasureTheirElapsedShare() throws {
        let q3 = try #require(Period("2026-Q3"))
        #expect(q3.shifted(by: 1).description == "2026-Q2" && q3.shifted(by: 3).description == "2025-Q4")
        #expect(Period("2026-01")?.shifted(by: 1).description == "2025-12")
        #expect(Period("FY2027-Q1", fiscalStartMonth: 2)?.shifted(by: 1, fiscalStartMonth: 2).description == "FY2026-Q4")
        #expect(Period("2026-W01")?.shifted(by: 1).description == "2025-W52")
        let april = try #require(Period("2026-04"))
        #expect(april.elapsed(through: day("2026-04-15")) == 0.5)
        #expect(april.elapsed(through: day("2026-03-31")) == 0 && april.elapsed(through: day("2026-05-10")) == 1)
    }

    @Test func periodsFarFromTodayAreStillMadeNeverParsed() {
        let first = Period.containing(day("0001-01-15"), grain: .month)
        #expect(first.shifted(by: 3).description == "0000-10", "a trend before year 1 still has its months")
        #expect(Period.containing(day("0001-02-01"), grain: .quarter, fiscal: true, fiscalStartMonth: 2).shifted(by: 2, fiscalStartMonth: 2).description == "FY1-Q3")
        #expect(Period.containing(day("9999-12-31"), grain: .week).shifted(by: -1).end > day("9999-12-31"))
    }
}
