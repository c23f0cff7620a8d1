/// Text as a terminal shows it: how many columns it takes, and how to make it fit without letting a
/// server's text steer the terminal.
enum DisplayText {
    /// Text safe to write to a terminal: escape sequences and other control characters are dropped, and line
    /// breaks and tabs become spaces, so a title or a name from the server can neither move the cursor nor
    /// break a table's rows.
    static func clean(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B, 0x9B:
                skipEscapeSequence(after: scalar, in: &scalars)
            case 0x09, 0x0A, 0x0D:
                result.append(" ")
            default:
                if !isControl(scalar) { result.append(scalar) }
            }
        }
        return String(result)
    }

    /// How many terminal columns `text` takes: two for wide East Asian characters and emoji, none for
    /// combining marks, one for the rest.
    static func width(_ text: String) -> Int {
        if isPlainASCII(text) { return text.utf8.count }
        var columns = 0
        for character in text {
            columns += width(of: character)
        }
        return columns
    }

    /// `text` cut to at most `limit` columns, ending with an ellipsis when something was cut.
    static func truncate(_ text: String, to limit: Int) -> String {
        measuredTruncation(text, to: limit).text
    }

    /// `text` made exactly `columns` wide: cut with an ellipsis, or padded with spaces.
    static func pad(_ text: String, to columns: Int) -> String {
        let fitted = measuredTruncation(text, to: columns)
        return fitted.text + String(repeating: " ", count: max(0, columns - fitted.width))
    }

    private static func measuredTruncation(_ text: String, to limit: Int) -> (text: String, width: Int) {
        guard limit > 0 else { return ("", 0) }
        if isPlainASCII(text) {
            let count = text.utf8.count
            return count <= limit ? (text, count) : (String(text.utf8.prefix(limit - 1))! + "…", limit)
        }
        let whole = width(text)
        guard whole > limit else { return (text, whole) }
        var result = ""
        var used = 0
        for character in text {
            let next = width(of: character)
            if used + next > limit - 1 { break }
            result.append(character)
            used += next
        }
        return (result + "…", used + 1)
    }

    /// Printable ASCII only: one column a byte, nothing to clean. Most cells are, and a list of 100,000 records
    /// measures every one of them.
    private static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if first.value < 0x300 { return 1 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark { return 0 }
        return isWide(first) ? 2 : 1
    }

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }

    /// Skips the rest of an escape sequence: a CSI (`ESC [` … final byte), an OSC or other string sequence
    /// (`ESC ]` … BEL or `ESC \`), or a two-character escape.
    private static func skipEscapeSequence(after introducer: Unicode.Scalar, in scalars: inout String.UnicodeScalarView.Iterator) {
        let kind: Unicode.Scalar?
        if introducer.value == 0x9B {
            kind = "["
        } else {
            kind = scalars.next()
        }
        switch kind {
        case "["?:
            while let next = scalars.next(), !(0x40...0x7E).contains(next.value) {}
        case "]"?, "P"?, "X"?, "^"?, "_"?:
            var previous: Unicode.Scalar?
            while let next = scalars.next() {
                if next.value == 0x07 || (previous?.value == 0x1B && next == "\\") { break }
                previous = next
            }
        default:
            break
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}

extension Int {
    /// 100000 as "100,000".
    var grouped: String {
        let digits = String(magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (self < 0 ? "-" : "") + result
    }
}
