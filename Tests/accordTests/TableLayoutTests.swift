import AccordClient
import AccordCore
import Foundation
import Testing

@testable import accord

@Suite("One table and one wrapping helper for every command")
struct TableLayoutTests {
    static let columns: [Column] = [
        .literal("ID"), .text("TITLE", required: true, minimum: 10, maximum: 48), .literal("OWNER", required: false),
        .text("BODY", minimum: 10, maximum: 48), .text("PINNED", minimum: 5, maximum: 6),
    ]
    static let rows: [[String?]] = [
        ["0a1b2c3d", "Q3 dip: the trade show was cancelled and the budget moved to Q4", "dana@northwind.example", nil, "true"],
        ["4e5f6a7b", "Pipeline coverage 3×", nil, "Sales and Marketing disagree on what counts as pipeline", "false"],
        ["8c9d0e1f", "売上の定義 (revenue definition)", "lena@field.example", "e\u{301}te\u{301} combining marks", nil],
        ["2a3b4c5d", "A title with \u{1B}[31mred\u{1B}[0m and \u{1B}]0;a window title\u{07} in it", "x@example.com", "line one\nline two", "true"],
    ]

    static func render(width: Int) -> [String] {
        var lines: [String] = []
        let writer = TableWriter(columns, sample: rows, width: width) { lines.append($0) }
        writer.header()
        for row in rows { writer.row(row) }
        writer.hiddenNote()
        return lines
    }

    @Test(arguments: [60, 80, 160])
    func cellsNeverTouchAndEveryLineFits(width: Int) {
        let lines = Self.render(width: width)
        Layout.check(lines.joined(separator: "\n"), width: width, rows: Self.rows.count)
        for line in lines {
            #expect(DisplayText.width(line) <= width, "'\(line)'")
            #expect(!line.contains("\u{1B}") && !line.contains("\u{07}"), "no escape sequence reaches the terminal")
            #expect(!line.hasSuffix(" "))
        }
        #expect(!lines.joined().contains("null"), "an empty cell is empty")
        let ids = Self.rows.map { $0[0]! }
        #expect(ids.allSatisfy { id in lines.contains { $0.hasPrefix(id + "  ") } }, "ids are whole")
    }

    @Test func aWideTerminalShowsEveryColumnWhole() {
        let lines = Self.render(width: 160)
        #expect(lines[0].split(separator: " ") == ["ID", "TITLE", "OWNER", "BODY", "PINNED"])
        #expect(lines.contains { $0.contains("dana@northwind.example") && $0.contains("Q3 dip: the trade show was cancelled") })
        #expect(!lines.contains { $0.contains("Not shown") })
    }

    @Test func aNarrowTerminalDropsColumnsFromTheRightAndSaysSo() {
        let lines = Self.render(width: 50)
        #expect(lines[0].split(separator: " ") == ["ID", "TITLE", "OWNER"])
        #expect(lines.contains { $0.contains("dana@northwind.example") }, "a literal is shown whole or not at all")
        let note = lines.drop { !$0.hasPrefix("Not shown") }.joined(separator: " ")
        #expect(note.contains("body, pinned") && note.contains("--json"), "\(lines)")
    }

    @Test func shortenedTextEndsWithAnEllipsisAndCountsWideCharactersTwice() {
        #expect(DisplayText.width("売上") == 4)
        #expect(DisplayText.width("e\u{301}te\u{301}") == 3)
        #expect(DisplayText.truncate("売上の定義", to: 5) == "売上…")
        #expect(DisplayText.pad("abc", to: 5) == "abc  ")
        #expect(DisplayText.clean("a\u{1B}[2Jb\u{9B}31mc\u{1B}]8;;http://x\u{1B}\\d\u{202E}e") == "abcde")
    }

    @Test func wrappingNeverBreaksAPathOrACommand() {
        let path = "/var/lib/accord/replicas/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.sqlite"
        let lines = Wrapping.lines(["changes are kept in", .literal(path), "so see them with", .literal("accord rejections list"), ", then act"], width: 40)
        #expect(lines.contains(path), "the path has a line of its own: \(lines)")
        #expect(lines.contains { $0.hasSuffix("accord rejections list,") }, "punctuation stays with what it follows: \(lines)")
        #expect(lines.contains { $0.contains("accord rejections list") }, "the command stays on one line: \(lines)")
        #expect(lines.filter { !$0.contains(path) }.allSatisfy { DisplayText.width($0) <= 40 })
        #expect(Wrapping.lines("one two three four", width: 9) == ["one two", "three", "four"])
    }

    @Test func aListShowsShortIdsThatStillSayWhatTheyName() {
        let id = UUID(), subject = "notes/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
        let cells = RecordListing(schema: CollectionSchema.notes).cells(LocalRecord(id: id, seq: 1, fields: ["subject": .text(subject), "title": .text("Q3")]))
        #expect(cells == [String(id.lowercasedText.prefix(8)), "notes/0a1b2c3d", "Q3", nil, nil])
    }

    @Test func aConflictsSideSplitsAWordLongerThanItsColumn() {
        let lines = Wrapping.splittingLongWords("see notes/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d now", width: 20)
        #expect(lines.allSatisfy { DisplayText.width($0) <= 20 } && lines.joined().replacingOccurrences(of: " ", with: "") == "seenotes/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5dnow", "\(lines)")
    }

    @Test func aLongListStreamsRowsAsTheyAreRead() throws {
        let listing = RecordListing(schema: CollectionSchema.notes)
        var written: [String] = []
        var lagging: [Int] = []
        let total = 5 * RecordListing.sampleSize
        let count = try listing.write(from: { body in
            for index in 0..<total {
                // Once the sample is sized, each record read is written before the next is read.
                if index > RecordListing.sampleSize, written.count < index - RecordListing.sampleSize { lagging.append(index) }
                try body(LocalRecord(id: UUID(), seq: Int64(index), fields: ["title": .text("note \(index)"), "pinned": index % 2 == 0 ? .bool(true) : .null]))
            }
        }, width: 80, to: { written.append($0) })
        #expect(count == total)
        #expect(lagging.isEmpty, "rows were held back: \(lagging.prefix(5))")
        #expect(written.count == total + 1)
        #expect(written[0].hasPrefix("ID") && written[0].contains("PINNED"))
    }
}
