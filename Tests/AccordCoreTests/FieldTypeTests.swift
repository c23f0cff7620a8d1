import AccordCore
import Foundation
import Testing

@Suite("json and date fields")
struct FieldTypeTests {
    static let criteria = FieldSchema("criteria", .json, .lww, maxLength: 200)
    static let period = FieldSchema("period", .date, .lww)

    @Test func jsonHasOneSpellingWhateverItsKeyOrderSpacingAndNumbers() {
        let spellings = [
            #"{"stage": "MQL", "score": {"min": 60, "max": 100.0}, "regions": ["EMEA", "NA"]}"#,
            #"{"regions":["EMEA","NA"],"score":{"max":1e2,"min":60},"stage":"MQL"}"#,
            "{\n  \"score\" : { \"min\" : 60.0, \"max\" : 100 },\n  \"stage\" : \"MQL\",\n  \"regions\" : [ \"EMEA\", \"NA\" ]\n}",
        ]
        let canonical = spellings.map { CanonicalJSON.canonical($0) }
        #expect(canonical.allSatisfy { $0 == #"{"regions":["EMEA","NA"],"score":{"max":100,"min":60},"stage":"MQL"}"# }, "\(canonical)")
        #expect(CanonicalJSON.canonical(#"[0.1, "tab\there", "é", {"b": null, "a": true}]"#) == #"[0.1,"tab\there","é",{"a":true,"b":null}]"#)
        #expect(CanonicalJSON.canonical(#""just a string""#) == nil, "a json field holds an object or an array")
        #expect(CanonicalJSON.canonical("{broken") == nil)
    }

    @Test func jsonFieldsAreCheckedCanonicalizedAndDigestedAsOneValue() {
        let schema = CollectionSchema(name: "plays", fields: [Self.criteria])
        #expect(Self.criteria.check(.text(#"{"stage": "MQL"}"#)) == nil)
        #expect(Self.criteria.check(.text("42"))?.message.contains("must be a JSON object or array") == true)
        #expect(Self.criteria.check(.text("[" + String(repeating: "1,", count: 150) + "1]"))?.message.contains("at most 200 bytes") == true)
        #expect(Self.criteria.check(.text(#"{"a": "x\u0000y"}"#))?.message.contains("NUL") == true, "jsonb cannot store it")
        let id = UUID()
        let spaced = RecordDigest.digest(id: id, seq: 3, fields: ["criteria": .text(#"{"b": 1, "a": [1, 2]}"#)], schema: schema)
        let compact = RecordDigest.digest(id: id, seq: 3, fields: ["criteria": .text(#"{"a":[1,2],"b":1}"#)], schema: schema)
        let other = RecordDigest.digest(id: id, seq: 3, fields: ["criteria": .text(#"{"a":[2,1],"b":1}"#)], schema: schema)
        #expect(spaced == compact && compact != other)
    }

    @Test func datesAreCalendarDays() {
        #expect(CalendarDate.days("1970-01-01") == 0)
        #expect(CalendarDate.days("2000-01-01") == 10_957)
        #expect(CalendarDate.days("2024-02-29") != nil && CalendarDate.days("2026-02-29") == nil && CalendarDate.days("2026-13-01") == nil)
        #expect(CalendarDate.days("2026-7-1") == nil && CalendarDate.days("2026-07-01T00:00:00Z") == nil)
        #expect(CalendarDate.days("-001-01-01") == nil && CalendarDate.days("0000-01-01") == nil && CalendarDate.days("20-6-07-01") == nil)
        for days: Int64 in [-719_162, -1, 0, 10_957, 20_635, 2_932_896] {
            #expect(CalendarDate.days(CalendarDate.text(days: days)) == days)
        }
        #expect(CalendarDate.text(days: 20_635) == "2026-07-01")
        #expect(Self.period.check(.text("2026-07-01")) == nil)
        #expect(Self.period.check(.text("July 1st"))?.message == "must be a calendar date such as 2026-07-01")
    }
}
