import AccordCore
import Foundation
import Testing

@Suite("Record digests")
struct RecordDigestTests {
    let schema = CollectionSchema(
        name: "probes",
        fields: [
            FieldSchema("at", .timestamp, .lww), FieldSchema("owner", .uuid, .lww), FieldSchema("kpi", .reference, .lww),
            FieldSchema("title", .text, .lww), FieldSchema("share", .real, .lww),
        ]
    )

    /// Texts a SQLite trigger hands over as bytes: canonical ones are digested in place, the others are spelled
    /// canonically first, exactly as the same values given as `FieldValue`s.
    @Test(arguments: [
        ["2026-11-24T09:30:00.000Z", "0b6f9a52-6c51-4e47-9d0b-3f1e2a3b4c5d", "7c1d1f7e-3a5b-4c6d-8e9f-0a1b2c3d4e5f", "Q3 pipeline"],
        ["2026-11-24T09:30:00Z", "0B6F9A52-6C51-4E47-9D0B-3F1E2A3B4C5D", "7C1D1F7E-3A5B-4C6D-8E9F-0A1B2C3D4E5F", "Überhang, März"],
        ["not a time", "", "x", ""],
    ])
    func textGivenAsBytesDigestsAsTheSameValues(texts: [String]) {
        let id = UUID()
        var builder = Self.bytes(id.lowercasedText) { RecordDigest.Builder(idText: $0, seq: 7) }
        for (field, text) in zip(schema.fields, texts) {
            Self.bytes(text) { builder.add(field, text: $0) }
        }
        builder.add(schema.fields[4], .int(3))
        var fields = RecordFields()
        for (field, text) in zip(schema.fields, texts) { fields[field.name] = .text(text) }
        fields["share"] = .double(3)
        #expect(builder.hash == RecordDigest.digest(id: id, seq: 7, fields: fields, schema: schema))
    }

    @Test func theTextAndTheNumberOfOneSpellingDiffer() {
        var text = RecordDigest.Builder(idText: "a", seq: 1)
        Self.bytes("3.0") { text.add(schema.fields[4], text: $0) }
        var number = RecordDigest.Builder(idText: "a", seq: 1)
        number.add(schema.fields[4], .double(3))
        #expect(text.hash != number.hash)
    }

    private static func bytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        var text = text
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
