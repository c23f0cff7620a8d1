import AccordCore
import Foundation
import Testing

@Suite("Reading snapshot lines")
struct SnapshotLineParserTests {
    func parse(_ text: String) throws -> SnapshotLine {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { try SnapshotLine.parse($0, decoder: SyncCoding.decoder()) }
    }

    @Test func recordLinesReadAsJSONDecoderReadsThem() throws {
        let texts = ["plain", "quote \" and backslash \\", "tab\tnew\nline", "ünïcødé ✓", "emoji 🎯 outside the basic plane", "\u{0001}control", ""]
        for (index, text) in texts.enumerated() {
            let record = SnapshotRecord(
                collection: "notes", id: UUID(), seq: Int64(index + 1),
                fields: ["title": .text(text), "pinned": .bool(index % 2 == 0), "count": .int(-42), "ratio": .double(0.125), "body": .null],
                createdBy: index % 2 == 0 ? UUID() : nil, updatedBy: UUID(), updatedAt: Date(timeIntervalSince1970: 1_764_063_005)
            )
            let line = String(decoding: try SyncCoding.encoder().encode(SnapshotLine.record(record)), as: UTF8.self)
            #expect(try parse(line) == .record(record), "\(line)")
        }
    }

    @Test func linesAsPostgreSQLWritesThemRead() throws {
        let id = UUID()
        let line = """
            {"record" : {"collection" : "notes", "id" : "\(id.uuidString.lowercased())", "seq" : 7, "fields" : {"title" : "caf\\u00e9 \\ud83c\\udfaf", \
            "pinned" : false, "amount" : 1.5e+20, "count" : 3, "due" : "2026-11-24T09:30:00.000Z"}, "createdBy" : null, \
            "updatedBy" : null, "updatedAt" : "2026-11-24T09:30:00Z"}}
            """
        guard case .record(let record) = try parse(line) else { Issue.record("not a record"); return }
        #expect(record.id == id && record.seq == 7 && record.createdBy == nil)
        #expect(record.fields["title"] == .text("café 🎯"))
        #expect(record.fields["pinned"] == .bool(false) && record.fields["count"] == .int(3) && record.fields["amount"] == .double(1.5e20))
        #expect(record.fields["due"] == .text("2026-11-24T09:30:00.000Z"))
    }

    @Test func otherLinesAndBrokenLinesGoToTheDecoder() throws {
        let header = SnapshotLine.header(SnapshotHeader(seq: 3, epoch: UUID(), rows: 2))
        #expect(try parse(String(decoding: try SyncCoding.encoder().encode(header), as: UTF8.self)) == header)
        #expect(throws: DecodingError.self) { try parse(#"{"record" : {"collection" : "notes", "id" : "x"#) }
        #expect(throws: DecodingError.self) { try parse(#"{"record" : {"collection" : "notes"}} trailing"#) }
    }
}
