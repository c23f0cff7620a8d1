import AccordCore
import Foundation
import Testing

@Suite("Canonical times")
struct CanonicalTimeTests {
    @Test func formatsEveryMillisecondExactlyAcrossCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let millis = Int64.random(in: -11_644_473_600_000...13_569_465_600_000, using: &random)
            let text = CanonicalTime.format(Date(timeIntervalSince1970: Double(millis) / 1_000))
            // The calendar reads the whole second, which a Double holds exactly; the milliseconds come from the integer.
            let seconds = millis >= 0 ? millis / 1_000 : (millis - 999) / 1_000
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!,
                Int(millis - seconds * 1_000)
            )
            #expect(text == expected, "\(millis)")
            #expect(CanonicalTime.parse(text).map(CanonicalTime.format) == text, "\(text) reads back as itself")
            #expect(CanonicalTime.isCanonical(text), "\(text) is known to be canonical")
        }
    }

    @Test func readsTheShapesClientsSend() throws {
        let expected = 1_764_063_005.12
        func seconds(_ text: String) -> Double? { CanonicalTime.parse(text)?.timeIntervalSince1970 }
        for text in ["2025-11-25T09:30:05.120Z", "2025-11-25T09:30:05.12Z", "2025-11-25T09:30:05.120000Z"] {
            #expect(abs((seconds(text) ?? 0) - expected) < 0.000_5, "\(text)")
        }
        #expect(seconds("2025-11-25T09:30:05Z") == 1_764_063_005)
        #expect(seconds("1969-12-31T23:59:59.999Z").map { abs($0 + 0.001) < 0.000_5 } == true, "before 1970")
        #expect(CanonicalTime.parse("2024-02-29T00:00:00Z") != nil, "a leap day")
    }

    @Test func refusesWhatIsNotACanonicalTime() {
        for text in ["2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24 09:30:00Z",
                     "2026-11-24T09:30:00+01:00", "2026-11-24T09:30:00.Z", "2026-11-24T09:30Z", "not a time"] {
            #expect(CanonicalTime.parse(text) == nil, "\(text)")
        }
        #expect(FieldSchema.parseTime("2026-11-24T09:30:00+01:00") != nil, "other ISO 8601 forms still parse, more slowly")
        #expect(CanonicalTime.parse("2026-11-24T09:30:00." + String(repeating: "9", count: 40) + "Z") == nil, "a fraction too long to read")
    }

    /// Field values skip re-spelling only when they are spelled canonically already; anything else is re-spelled.
    @Test func onlyTheCanonicalSpellingIsTakenAsIs() {
        let field = FieldSchema("at", .timestamp, .lww)
        for text in ["2025-11-25T09:30:05.12Z", "2025-11-25T09:30:05Z", "2025-11-25T09:30:05.120000Z", "2026-02-29T09:30:05.120Z"] {
            #expect(!CanonicalTime.isCanonical(text), "\(text)")
        }
        #expect(field.canonical(.text("2025-11-25T09:30:05.12Z")) == .text("2025-11-25T09:30:05.120Z"))
        #expect(field.canonical(.text("2025-11-25T09:30:05.120Z")) == .text("2025-11-25T09:30:05.120Z"))
        let reference = FieldSchema("kpi", .reference, .lww)
        #expect(reference.canonical(.text("kpis/ABC")) == .text("kpis/abc"))
        #expect(reference.canonical(.text("kpis/abc")) == .text("kpis/abc"))
    }
}

@Suite("RFC 3339 times in queries")
struct RFC3339Tests {
    @Test func anyOffsetFractionAndLeapSecondIsRead() throws {
        let base = try #require(RFC3339.parse("2026-12-01T09:30:00Z")).timeIntervalSince1970
        #expect(RFC3339.parse("2026-12-01T09:30:00.25-05:30")?.timeIntervalSince1970 == base + 5.5 * 3600 + 0.25)
        #expect(RFC3339.parse("3137-11-29T09:07:33.30-20:12") != nil)
        #expect(RFC3339.parse("2026-12-31t23:59:60z")?.timeIntervalSince1970 == RFC3339.parse("2027-01-01T00:00:00Z")?.timeIntervalSince1970)
        for bad in ["2026-12-01T09:30:00", "2026-12-01T24:00:00Z", "2026-12-01T09:30:00+5:30", "2026-12-01T09:30:00.Z", "2026-02-30T00:00:00Z"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }
}
