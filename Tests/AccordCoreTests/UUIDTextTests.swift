import AccordCore
import Foundation
import Testing

@Suite("UUID text")
struct UUIDTextTests {
    @Test func readsAndWritesAsFoundationDoes() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
            #expect(UUID(canonical: id.uuidString) == id)
            #expect(UUID(canonical: id.uuidString.lowercased()) == id)
        }
    }

    @Test func refusesWhatIsNotACanonicalUUID() {
        let id = UUID().uuidString
        for text in ["", "not a uuid", String(id.dropLast()), id + "0", id.replacingOccurrences(of: "-", with: ""),
                     "g" + id.dropFirst(), String(id.prefix(8)) + "_" + id.dropFirst(9)] {
            #expect(UUID(canonical: text) == nil, "\(text)")
        }
    }
}
