/// A piece of a message: prose that may break between words, or something a person copies whole.
enum TextPart: Equatable, ExpressibleByStringInterpolation {
    case prose(String)
    /// A path, an id, a URL or a command: never broken, moved to a line of its own when it does not fit.
    case literal(String)

    init(stringLiteral text: String) {
        self = .prose(text)
    }

    init(stringInterpolation: DefaultStringInterpolation) {
        self = .prose(String(stringInterpolation: stringInterpolation))
    }
}

/// The one wrapping helper of every command: lines at most `width` columns wide, broken only between words,
/// and never inside a literal.
enum Wrapping {
    static func lines(_ text: String, width: Int) -> [String] {
        lines([.prose(text)], width: width)
    }

    /// Lines of a value shown in a narrow column, such as one side of a conflict: a word longer than the column
    /// is split, since the whole value is what a person reads (and `--json` gives it whole).
    static func splittingLongWords(_ text: String, width: Int) -> [String] {
        lines(text, width: width).flatMap { line -> [String] in
            guard DisplayText.width(line) > width else { return [line] }
            var pieces: [String] = []
            var piece = ""
            for character in line {
                if DisplayText.width(piece + String(character)) > width {
                    pieces.append(piece)
                    piece = ""
                }
                piece.append(character)
            }
            return pieces + [piece]
        }
    }

    /// A word or literal longer than a whole line is kept whole on a line of its own: a reader can copy a long
    /// path, while a path cut in two copies wrong.
    static func lines(_ parts: [TextPart], width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var used = 0
        for token in tokens(parts) {
            let size = DisplayText.width(token)
            if used > 0 && used + 1 + size > width {
                lines.append(line)
                line = ""
                used = 0
            }
            line += used > 0 ? " " + token : token
            used += (used > 0 ? 1 : 0) + size
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Words and literals. Punctuation that opens a prose part ("…`accord sync`, then") stays on the line of
    /// what precedes it.
    private static func tokens(_ parts: [TextPart]) -> [String] {
        var tokens: [String] = []
        for part in parts {
            switch part {
            case .prose(let text):
                let cleaned = DisplayText.clean(text)
                var words = cleaned.split(separator: " ").map(String.init)
                if let first = words.first, let lead = first.first, ",.;:)".contains(lead), !cleaned.hasPrefix(" "), !tokens.isEmpty {
                    tokens[tokens.count - 1] += first
                    words.removeFirst()
                }
                tokens += words
            case .literal(let text):
                tokens.append(DisplayText.clean(text))
            }
        }
        return tokens
    }
}
