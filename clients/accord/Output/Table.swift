/// A column of a terminal table.
struct Column: Sendable {
    enum Content: Sendable {
        /// May be shortened with an ellipsis when space is short.
        case text
        /// An id, an email, a slug or a path: shown whole or not at all, since a person copies it.
        case literal
    }

    var header: String
    var content: Content
    /// Kept even when the terminal is too narrow; other columns are dropped from the right.
    var required: Bool
    /// A text column shrinks no narrower than this (or its header).
    var minimum: Int
    /// A text column grows no wider than this, so one long value cannot crowd out the rest.
    var maximum: Int

    static func literal(_ header: String, required: Bool = true) -> Column {
        Column(header: header, content: .literal, required: required, minimum: 0, maximum: .max)
    }

    static func text(_ header: String, required: Bool = false, minimum: Int = 10, maximum: Int = 60) -> Column {
        Column(header: header, content: .text, required: required, minimum: minimum, maximum: maximum)
    }
}

/// How wide each column is drawn, and which columns do not fit at all.
struct TableLayout: Equatable {
    static let gap = 2
    /// Per column, its width, or nil when it is not shown.
    var widths: [Int?]

    /// Fits `columns` into `width` terminal columns, sized by the `sample` rows' values: every column at its
    /// natural width when that fits; otherwise text columns shrink toward their minimum, and then columns
    /// that are not required are dropped from the right.
    static func fit(_ columns: [Column], sample: [[String]], width: Int) -> TableLayout {
        let natural = columns.indices.map { index in
            let widest = sample.map { index < $0.count ? DisplayText.width($0[index]) : 0 }.max() ?? 0
            let header = DisplayText.width(columns[index].header)
            let wanted = max(header, widest)
            return columns[index].content == .text ? min(wanted, max(header, columns[index].maximum)) : wanted
        }
        let floor = columns.indices.map { index in
            let column = columns[index]
            return column.content == .text ? min(natural[index], max(DisplayText.width(column.header), column.minimum)) : natural[index]
        }
        var shown = Array(columns.indices)
        func needed(_ widths: [Int]) -> Int { shown.map { widths[$0] }.reduce(0, +) + gap * max(0, shown.count - 1) }
        while needed(floor) > width, let drop = shown.last(where: { !columns[$0].required }) {
            shown.removeAll { $0 == drop }
        }
        var widths = floor
        var spare = width - needed(floor)
        let growable = shown.filter { natural[$0] > floor[$0] }
        let wanted = growable.map { natural[$0] - floor[$0] }.reduce(0, +)
        if spare >= wanted {
            for index in growable { widths[index] = natural[index] }
        } else if spare > 0 {
            for index in growable {
                let share = (natural[index] - floor[index]) * spare / max(1, wanted)
                widths[index] += share
            }
            spare -= growable.map { widths[$0] - floor[$0] }.reduce(0, +)
            for index in growable where spare > 0 && widths[index] < natural[index] {
                widths[index] += 1
                spare -= 1
            }
        }
        return TableLayout(widths: columns.indices.map { shown.contains($0) ? widths[$0] : nil })
    }
}

/// Writes a table row by row, so a long list streams: the layout comes from a sample of the first rows, and
/// a later value too long for its column is shortened (text) or shown whole (literal).
struct TableWriter {
    let columns: [Column]
    let layout: TableLayout
    let width: Int
    private let write: (String) -> Void

    init(_ columns: [Column], sample: [[String?]], width: Int = Terminal.width, write: @escaping (String) -> Void = { Swift.print($0) }) {
        self.columns = columns
        self.layout = TableLayout.fit(columns, sample: sample.map { $0.map(Self.cell) }, width: width)
        self.width = width
        self.write = write
    }

    /// The headers of the columns that did not fit.
    var hidden: [String] {
        columns.indices.filter { layout.widths[$0] == nil }.map { columns[$0].header }
    }

    func header() {
        write(line(columns.map(\.header)))
    }

    func row(_ cells: [String?]) {
        write(line(cells.map(Self.cell)))
    }

    /// Says which columns were left out and how to see them; nothing when every column fits.
    func hiddenNote(_ howToSeeThem: String = "a wider terminal or --json shows them") {
        guard !hidden.isEmpty else { return }
        let names = hidden.map { $0.lowercased() }.joined(separator: ", ")
        for line in Wrapping.lines("Not shown for lack of width: \(names); \(howToSeeThem).", width: width) {
            write(Terminal.dim(line))
        }
    }

    /// Writes a whole small table: header, rows, and the note on hidden columns.
    static func show(_ columns: [Column], _ rows: [[String?]], width: Int = Terminal.width) {
        let writer = TableWriter(columns, sample: rows, width: width)
        writer.header()
        for row in rows { writer.row(row) }
        writer.hiddenNote()
    }

    /// What a cell shows: nothing for null, and server text without control characters.
    private static func cell(_ value: String?) -> String {
        DisplayText.clean(value ?? "")
    }

    private func line(_ cells: [String]) -> String {
        let shown = columns.indices.compactMap { index in layout.widths[index].map { (index, $0) } }
        var text = ""
        for (position, (index, width)) in shown.enumerated() {
            let value = index < cells.count ? cells[index] : ""
            let isLast = position == shown.count - 1
            switch columns[index].content {
            case .text where isLast: text += DisplayText.truncate(value, to: width)
            case .text: text += DisplayText.pad(value, to: width)
            case .literal where isLast: text += value
            case .literal: text += value + String(repeating: " ", count: max(0, width - DisplayText.width(value)))
            }
            if !isLast { text += String(repeating: " ", count: TableLayout.gap) }
        }
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
