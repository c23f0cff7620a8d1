@testable import AccordServer
import Foundation
import Testing

/// Markdown members wrote, as the pages show it: formatted, terms linked, and nothing written able to add
/// markup, scripts or links of its own kind.
@Suite struct WebMarkdownTests {
    func html(_ markdown: String) -> String {
        WebMarkdown.html(markdown, org: "acme")
    }

    @Test func formattingListsAndTermsBecomeHTML() {
        let shown = html("An **MQL** fits the [[ICP tier 1]].\n\n- scored 60 or more\n- *not* a form fill alone")
        #expect(shown.contains("<strong>MQL</strong>"))
        #expect(shown.contains(#"<a href="/app/orgs/acme/definitions/ICP%20tier%201">ICP tier 1</a>"#))
        #expect(shown.contains("<li>scored 60 or more</li>") && shown.contains("<em>not</em>"))
    }

    @Test func termsWrittenAsCodeStayCode() {
        let shown = html("Write `[[MQL]]` to link [[MQL]].\n\n````\nsee [[SQL]]\n```\n[[SAL]]\n````\nafter [[ICP]]")
        #expect(shown.contains("<code>[[MQL]]</code>"), "\(shown)")
        #expect(shown.contains(#"<a href="/app/orgs/acme/definitions/MQL">MQL</a>"#))
        #expect(shown.contains("see [[SQL]]") && shown.contains("[[SAL]]") && !shown.contains("definitions/SQL") && !shown.contains("definitions/SAL"), "\(shown)")
        #expect(shown.contains(#"<a href="/app/orgs/acme/definitions/ICP">ICP</a>"#), "a longer fence ends only at its own length: \(shown)")
    }

    @Test func textFromAFormWithCarriageReturnsReadsLikeAnyOther() {
        let shown = html("See [[MQL]].\r\n\r\n```\r\nlet a = 1\r\n```\r\nThen [[SQL]].")
        #expect(shown.contains("<pre><code>let a = 1</code></pre>"), "\(shown)")
        #expect(shown.contains("definitions/MQL") && shown.contains("definitions/SQL"), "\(shown)")
    }

    @Test func aTextOpeningWithARuleKeepsWhatFollows() {
        for opening in ["", "\n\n", "[site]: https://example.com\n"] {
            let shown = html(opening + "---\nScope: inbound only\n---\nThe rest")
            #expect(shown.contains("<hr>") && shown.contains("Scope: inbound only") && shown.contains("The rest"), "\(opening.debugDescription) → \(shown)")
        }
        #expect(html("Text\n---\nmore").contains("<hr>"), "a rule under a paragraph stays a rule")
    }

    @Test func markupWrittenInTheTextIsShownNotRun() {
        let shown = html("Before <script>alert(1)</script> and <img src=x onerror=alert(2)> after\n\n<div onclick=\"x()\">block</div>")
        #expect(!shown.contains("<script") && !shown.contains("<img") && !shown.contains("<div"))
        #expect(shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(shown)")
        #expect(shown.contains("&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;") || shown.contains("&lt;div onclick=\"x()\"&gt;block"), "\(shown)")
        #expect(Array(html("<\u{0301}script>").unicodeScalars) == Array("<p>&lt;\u{0301}script&gt;</p>".unicodeScalars), "a combining mark does not keep a \"<\" raw")
    }

    @Test func onlyLinksToPagesMailOrTheAppStayLinks() {
        #expect(html("[docs](https://example.com/a)").contains(#"<a href="https://example.com/a">docs</a>"#))
        #expect(html("[MQL](/app/orgs/acme/definitions/MQL)").contains(#"<a href="/app/orgs/acme/definitions/MQL">"#))
        let hostiles = [
            "[x](javascript:alert(1))", "[x](JavaScript:alert(1))", "[x](data:text/html,hi)", "[x](//evil.example/)", #"[x](/a"onmouseover="alert(1))"#,
            // A quote joined to a combining mark is one Character to Swift but still a quote to a browser.
            "[x](http://a\"\u{0301}/onmouseover=alert(1)//)", "[x][r]\n\n[r]: http://a\"\u{0301}/onmouseover=alert(1)//",
            // Paths a browser reads as another site's address.
            #"[x](/\evil.example)"#, "[x](/&#47;evil.example)", "[x](/\t/evil.example)",
        ]
        for hostile in hostiles {
            let shown = html(hostile)
            #expect(!shown.contains("<a "), "\(hostile) → \(shown)")
        }
    }

    @Test func imagesShowAsTextAndCodeKeepsNoAttributes() {
        #expect(!html("![chart](https://example.com/x.png)").contains("<img"))
        let code = html("```js\" onmouseover=\"alert(1)\nlet a = 1 < 2 && \"b\"\n```")
        #expect(code.contains("<pre><code>let a = 1 &lt; 2 &amp;&amp; &quot;b&quot;</code></pre>"), "\(code)")
        #expect(!code.contains("onmouseover"))
    }
}
