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
        // Literal replacement: Foundation's default search on Linux skips a "<" followed by a combining mark.
        var source = linkingTerms(
            markdown.replacingOccurrences(of: lessThan, with: "", options: .literal).replacingOccurrences(of: "<", with: lessThan, options: .literal), org: slug
        )
        // Ink reads a text opening with a "---" line as metadata up to the next one and shows none of it; "***"
        // is the same rule to Markdown, and to Ink only a rule.
        let opening = source.prefix { $0.isWhitespace }
        if source.dropFirst(opening.count).hasPrefix("---\n") {
            source.replaceSubrange(source.index(source.startIndex, offsetBy: opening.count)..<source.index(source.startIndex, offsetBy: opening.count + 3), with: "***")
        }
        let parser = MarkdownParser(modifiers: [
            Modifier(target: .links) { safeLink($0.html, markdown: $0.markdown) },
            Modifier(target: .images) { escaped($0.markdown) },
            Modifier(target: .codeBlocks) { codeBlock($0.markdown) },
            Modifier(target: .html) { escaped($0.markdown) },
        ])
        return parser.html(from: source).replacingOccurrences(of: lessThan, with: "&lt;", options: .literal)
    }

    /// `[[MQL]]` as a Markdown link to the definition of MQL in the organization, except where it is written as
    /// code: in a fenced block or between backticks.
    private static func linkingTerms(_ text: String, org slug: String) -> String {
        var fenced = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fenced.toggle() }
            guard !fenced, !trimmed.hasPrefix("```"), !trimmed.hasPrefix("~~~") else { return String(line) }
            return String(line).replacing(/`+[^`]*`+|\[\[([^\[\]\n]+)\]\]/) { match -> String in
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
