import Foundation
import Ink

/// Markdown members wrote (a definition's text, a KPI's description) as HTML a page can hold safely: nothing
/// written can open a tag of its own, links go only to web pages, mail or within the app, images show as
/// their text, and each `[[term]]` links to that term's definition.
enum WebMarkdown {
    /// Stands for "<" while Ink reads the text, so Ink never sees a tag to pass through; it becomes `&lt;`
    /// in the HTML.
    private static let lessThan = "\u{E000}"

    static func html(_ markdown: String, org slug: String) -> String {
        // A browser sends a form's text with "\r\n", which Ink reads as one character: its code blocks would never end.
        let text = markdown.replacingOccurrences(of: "\r\n", with: "\n", options: .literal).replacingOccurrences(of: "\r", with: "\n", options: .literal)
        // Literal replacement: Foundation's default search on Linux skips a "<" followed by a combining mark.
        let source = prepared(
            text.replacingOccurrences(of: lessThan, with: "", options: .literal).replacingOccurrences(of: "<", with: lessThan, options: .literal), org: slug
        )
        let parser = MarkdownParser(modifiers: [
            Modifier(target: .links) { safeLink($0.html, markdown: $0.markdown) },
            Modifier(target: .images) { escaped($0.markdown) },
            Modifier(target: .codeBlocks) { codeBlock($0.markdown) },
            Modifier(target: .html) { escaped($0.markdown) },
        ])
        return parser.html(from: source).replacingOccurrences(of: lessThan, with: "&lt;", options: .literal)
    }

    /// The text as Ink should read it, line by line. Outside code, `[[MQL]]` becomes a Markdown link to the
    /// definition of MQL; and a "---" line that starts a block becomes "***", the same rule to Markdown, because
    /// Ink reads a "---" line ahead of everything it shows as the start of metadata and hides all up to the next.
    private static func prepared(_ text: String, org slug: String) -> String {
        // The backticks that opened the code block a line is in, as Ink counts them; 0 outside one.
        var fence = 0
        var previous: Substring?
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            defer { previous = line }
            if fence > 0 {
                // Ink ends a block at a line opening with exactly as many backticks as started it.
                if line.prefix(while: { $0 == "`" }).count == fence { fence = 0 }
                return String(line)
            }
            let opening = line.drop { $0 == " " || $0 == "\t" }.prefix { $0 == "`" }.count
            if opening >= 3 {
                fence = opening
                return String(line)
            }
            // After nothing, a blank line or a link's reference (which Ink does not show): where metadata could start.
            let startsBlock = previous.map { $0.allSatisfy(\.isWhitespace) || $0.contains(/^\s*\[[^\]]*\]:/) } ?? true
            if line == "---", startsBlock { return "***" }
            // Ink's inline code is one backtick to the next on the same line.
            return String(line).replacing(/`[^`]*`|\[\[([^\[\]\n]+)\]\]/) { match -> String in
                guard let term = match.output.1.map(String.init) else { return String(match.output.0) }
                let path = term.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return "[\(term)](/app/orgs/\(slug)/definitions/\(path))"
            }
        }.joined(separator: "\n")
    }

    /// Ink's link when its address is one a page may hold, else the Markdown as text. Ink copies an address as
    /// written, so it is checked scalar by scalar (a quote joined to a combining mark is still a quote to a
    /// browser), and a path within the app must not become another site's address once a browser reads it
    /// (`/\host`, `/&#47;host`).
    private static func safeLink(_ html: String, markdown: Substring) -> String {
        guard let match = html.wholeMatch(of: /<a href="([^"]*)">(.*)<\/a>/.dotMatchesNewlines().matchingSemantics(.unicodeScalar)) else {
            return escaped(markdown)
        }
        let address = String(match.output.1)
        let plain = address.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && !"\"\\<>`".unicodeScalars.contains($0) }
        let lowered = address.lowercased()
        let offSite = ["https://", "http://", "mailto:"].contains { lowered.hasPrefix($0) }
        let inApp = (address.hasPrefix("/") && !address.hasPrefix("//") && !address.contains("&")) || address.hasPrefix("#")
        return plain && (offSite || inApp) ? html : escaped(markdown)
    }

    /// A fenced code block as preformatted text, without the language Ink would put in an attribute.
    private static func codeBlock(_ markdown: Substring) -> String {
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        if !lines.isEmpty { lines.removeFirst() }
        if let last = lines.last, last.trimmingCharacters(in: .whitespaces).hasPrefix("```") { lines.removeLast() }
        return "<pre><code>" + escaped(lines.joined(separator: "\n")) + "</code></pre>"
    }

    /// Text as HTML; "<" is already the stand-in.
    private static func escaped(_ text: some StringProtocol) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;", options: .literal).replacingOccurrences(of: ">", with: "&gt;", options: .literal)
            .replacingOccurrences(of: "\"", with: "&quot;", options: .literal)
    }
}
