@testable import AccordCore
import Foundation
import Testing

@Suite("Reading pull pages")
struct PullPageParserTests {
    func parse(_ text: String) throws -> PullResponse {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { try PullResponse.parse($0, decoder: SyncCoding.decoder()) }
    }

    /// Whether the page parser itself reads `text`, rather than leaving it to `JSONDecoder`.
    func readsItself(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { bytes in
            var parser = MiniJSON(bytes: bytes)
            return parser.pullPage() != nil
        }
    }

    func change(_ seq: Int64, _ operation: MutationOperation, _ fields: RecordFields, previous: RecordFields = [:], from client: Bool) -> Change {
        Change(
            seq: seq, collection: "notes", recordID: UUID(), operation: operation, outcome: seq % 3 == 0 ? .merged : .applied,
            fields: fields, previous: previous, overridden: seq % 3 == 0 ? ["title": .text("lost")] : [:],
            actor: client ? UUID() : nil, clientID: client ? UUID() : nil, mutationID: client ? seq * 10 : nil,
            timestamp: HLCTimestamp(millis: 1_764_063_005_000 + seq, counter: UInt32(seq % 4), node: "node-\(seq)"),
            at: Date(timeIntervalSince1970: 1_764_063_005 + Double(seq))
        )
    }

    @Test func pagesReadAsJSONDecoderReadsThem() throws {
        let changes = [
            change(1, .create, ["title": .text("quote \" and \\ and\ttab"), "pinned": .bool(true), "count": .int(-42), "ratio": .double(0.125), "body": .null], from: true),
            change(2, .update, ["title": .text("ünïcødé 🎯")], previous: ["title": .text("quote")], from: false),
            change(3, .update, ["count": .int(7)], previous: ["count": .int(-42)], from: true),
            change(4, .delete, [:], from: true),
        ]
        let checksums = ["notes": CollectionChecksum(checksum: .max - 5, rows: 3)]
        for page in [
            PullResponse(changes: changes, next: 4, more: false, epoch: UUID(), checksums: checksums),
            PullResponse(changes: changes, next: 4, more: true, epoch: UUID(), checksums: nil),
            PullResponse(changes: [], next: 9, more: false, epoch: UUID(), checksums: [:]),
        ] {
            let text = String(decoding: try SyncCoding.encoder().encode(page), as: UTF8.self)
            #expect(readsItself(text))
            let read = try parse(text)
            let decoded = try SyncCoding.decoder().decode(PullResponse.self, from: Data(text.utf8))
            #expect(read.changes == decoded.changes && read.changes == page.changes)
            #expect(read.next == page.next && read.more == page.more && read.epoch == page.epoch)
            #expect(read.checksums?.mapValues(\.description) == page.checksums?.mapValues(\.description))
        }
    }

    @Test func aPageAsPostgreSQLWritesItReads() throws {
        let (record, epoch) = (UUID(), UUID())
        let stamp = HLCTimestamp(millis: 1_764_063_005_000, node: "server")
        let text = """
            {"changes":[{"seq":12,"collection":"notes","recordID":"\(record.uuidString.lowercased())","operation":"update",\
            "outcome":"applied","fields":{"title": "caf\\u00e9", "amount": 1.5e+20},"previous":{"title": "cafe"},"overridden":{},\
            "actor":null,"clientID":null,"mutationID":null,"timestamp":"\(stamp)","at":"2026-11-24T09:30:00Z"}],\
            "next":12,"more":false,"epoch":"\(epoch.uuidString.lowercased())","checksums":{"notes":{"checksum":"ff","rows":1}}}
            """
        #expect(readsItself(text))
        let page = try parse(text)
        #expect(page.changes.count == 1 && page.next == 12 && page.epoch == epoch)
        #expect(page.changes.first?.fields == ["title": .text("café"), "amount": .double(1.5e20)])
        #expect(page.changes.first?.actor == nil && page.changes.first?.timestamp == stamp)
        #expect(page.changes.first?.at == Date(timeIntervalSince1970: 1_795_512_600))
        #expect(page.checksums?["notes"] == CollectionChecksum(checksum: 255, rows: 1))
    }

    @Test func membersItDoesNotKnowAreSkippedAndNumbersReadAsTheDecoderReadsThem() throws {
        let epoch = UUID()
        let text = """
            {"hint":{"nested":[1,{"x":"y \\" z"},null,true]},"changes":[{"seq":3,"collection":"notes",\
            "recordID":"\(UUID().uuidString)","operation":"create","outcome":"applied","extra":[[]],\
            "fields":{"big":92233720368547758070,"small":-9223372036854775808,"ratio":2.5E-3,"zero":-0},"previous":{},"overridden":{},\
            "timestamp":"001764063005000-0000000000-server","at":"2026-11-24T09:30:00.25Z"}],\
            "next":3,"more":true,"epoch":"\(epoch.uuidString.lowercased())"}
            """
        #expect(readsItself(text))
        let read = try parse(text)
        let decoded = try SyncCoding.decoder().decode(PullResponse.self, from: Data(text.utf8))
        #expect(read.changes == decoded.changes)
        #expect(read.changes.first?.fields["small"] == .int(.min) && read.changes.first?.fields["big"] == .double(9.2233720368547758070e19))
        #expect(read.changes.first?.at == Date(timeIntervalSince1970: 1_795_512_600.25))
        #expect(read.next == 3 && read.more && read.epoch == epoch && read.checksums == nil)
    }

    @Test func aBrokenPageIsExplainedByTheDecoder() throws {
        #expect(throws: DecodingError.self) { try parse(#"{"changes":[{"seq":1}],"next":1,"more":false,"epoch":"x"}"#) }
        #expect(throws: DecodingError.self) { try parse(#"{"changes":[],"next":1,"more":false,"epoch":"#) }
    }

    @Test func aHostileNestingIsRefusedWithoutExhaustingTheStack() throws {
        let depth = 200_000
        let page = #"{"changes":[],"next":1,"more":false,"epoch":"\#(UUID().lowercasedText)","x":"# + String(repeating: "[", count: depth)
            + String(repeating: "]", count: depth) + "}"
        #expect(throws: (any Error).self) { try parse(page) }
    }
}
