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
        let source = linkingTerms(
            markdown.replacingOccurrences(of: lessThan, with: "").replacingOccurrences(of: "<", with: lessThan), org: slug
        )
        let parser = MarkdownParser(modifiers: [
            Modifier(target: .links) { safeLink($0.html, markdown: $0.markdown) },
            Modifier(target: .images) { escaped($0.markdown) },
            Modifier(target: .codeBlocks) { codeBlock($0.markdown) },
            Modifier(target: .html) { escaped($0.markdown) },
        ])
        return parser.html(from: source).replacingOccurrences(of: lessThan, with: "&lt;")
    }

    /// `[[MQL]]` as a Markdown link to the definition of MQL in the organization.
    private static func linkingTerms(_ text: String, org slug: String) -> String {
        text.replacing(/\[\[([^\[\]\n]+)\]\]/) { match in
            let term = String(match.output.1)
            let path = term.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return "[\(term)](/app/orgs/\(slug)/definitions/\(path))"
        }
    }

    /// Ink's link when its address is one a page may hold, else the Markdown as text.
    private static func safeLink(_ html: String, markdown: Substring) -> String {
        guard let match = html.wholeMatch(of: /<a href="([^"\s]*)">(.*)<\/a>/.dotMatchesNewlines()) else { return escaped(markdown) }
        let address = match.output.1.lowercased()
        let allowed = ["https://", "http://", "mailto:", "#"].contains { address.hasPrefix($0) } || (address.hasPrefix("/") && !address.hasPrefix("//"))
        return allowed ? html : escaped(markdown)
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
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
