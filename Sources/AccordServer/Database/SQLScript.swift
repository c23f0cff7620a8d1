import Foundation

/// Splits a SQL file into its statements, because PostgresNIO sends each query as one prepared statement.
///
/// Understands what can hide a semicolon: quoted strings and identifiers, dollar-quoted bodies
/// (`$$ ... $$`, `$tag$ ... $tag$`), line comments and nested block comments.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty, !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }
        func copy(until end: Int) {
            current.append(contentsOf: characters[index..<min(end, characters.count)])
            index = min(end, characters.count)
        }
        func find(_ needle: [Unicode.Scalar], from start: Int) -> Int? {
            guard !needle.isEmpty, characters.count >= needle.count else { return nil }
            var position = start
            while position <= characters.count - needle.count {
                if Array(characters[position..<position + needle.count]) == needle { return position }
                position += 1
            }
            return nil
        }

        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case ";":
                flush()
                index += 1
            case "'", "\"":
                var end = index + 1
                while end < characters.count {
                    if characters[end] == character {
                        // A doubled quote is an escaped quote, not the end.
                        if end + 1 < characters.count, characters[end + 1] == character { end += 2; continue }
                        break
                    }
                    end += 1
                }
                copy(until: end + 1)
            case "-" where next == "-":
                copy(until: (find(["\n"], from: index) ?? characters.count) + 1)
            case "/" where next == "*":
                var depth = 0
                var end = index
                while end < characters.count {
                    if characters[end] == "/", end + 1 < characters.count, characters[end + 1] == "*" { depth += 1; end += 2; continue }
                    if characters[end] == "*", end + 1 < characters.count, characters[end + 1] == "/" {
                        depth -= 1
                        end += 2
                        if depth == 0 { break }
                        continue
                    }
                    end += 1
                }
                copy(until: end)
            case "$":
                var tagEnd = index + 1
                while tagEnd < characters.count, characters[tagEnd] == "_" || characters[tagEnd].properties.isAlphabetic
                    || (tagEnd > index + 1 && ("0"..."9").contains(characters[tagEnd])) {
                    tagEnd += 1
                }
                if tagEnd < characters.count, characters[tagEnd] == "$" {
                    let tag = Array(characters[index...tagEnd])
                    let close = find(tag, from: tagEnd + 1) ?? characters.count
                    copy(until: close + tag.count)
                } else {
                    copy(until: index + 1)
                }
            default:
                copy(until: index + 1)
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return line.isEmpty || line.hasPrefix("--")
        }
    }
}
