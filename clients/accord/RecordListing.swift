import AccordClient
import AccordCore
import Foundation

/// A collection's records as a table: the short id, then every field in declaration order, so that on a
/// narrow terminal the last-declared fields are the ones left out (and the table says so).
struct RecordListing {
    /// Rows read before the columns are sized; the rest stream through at those sizes.
    static let sampleSize = 200

    let schema: CollectionSchema

    var columns: [Column] {
        [.literal("ID")] + schema.fields.map { field in
            let header = field.name.uppercased()
            switch field.type {
            case .uuid, .reference: return .literal(header, required: false)
            case .boolean, .integer, .real: return .text(header, minimum: 5, maximum: 20)
            case .timestamp: return .text(header, minimum: 10, maximum: 24)
            case .date: return .text(header, minimum: 10, maximum: 10)
            case .json: return .text(header, maximum: 40)
            case .text: return .text(header, required: field.required, minimum: 10, maximum: 48)
            }
        }
    }

    /// Writes the records `source` hands over one at a time and returns how many; memory holds one sample at
    /// most, whatever the count.
    func write(
        from source: ((LocalRecord) throws -> Void) throws -> Void, width: Int = Terminal.width, to output: @escaping (String) -> Void = { print($0) }
    ) throws -> Int {
        var sample: [[String?]] = []
        var writer: TableWriter?
        var count = 0
        func start() -> TableWriter {
            let table = TableWriter(columns, sample: sample, width: width, write: output)
            table.header()
            for row in sample { table.row(row) }
            sample.removeAll()
            return table
        }
        try source { record in
            count += 1
            let row = cells(record)
            if let writer { return writer.row(row) }
            sample.append(row)
            if sample.count == Self.sampleSize { writer = start() }
        }
        guard count > 0 else { return 0 }
        (writer ?? start()).hiddenNote()
        return count
    }

    /// A record's cells: ids shortened as git shortens hashes (a reference keeps its collection), and nothing
    /// for an empty field.
    func cells(_ record: LocalRecord) -> [String?] {
        [String(record.id.lowercasedText.prefix(8))] + schema.fields.map { field in
            switch (field.type, record.fields[field.name] ?? .null) {
            case (_, .null): nil
            case (.uuid, .text(let id)): String(id.prefix(8))
            case (.reference, .text(let reference)):
                reference.firstIndex(of: "/").map { String(reference[...$0]) + reference[reference.index(after: $0)...].prefix(8) } ?? reference
            case (_, let value): value.description
            }
        }
    }
}
