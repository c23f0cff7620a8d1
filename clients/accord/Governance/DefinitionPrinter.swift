import AccordCore
import Foundation

/// A definition and its diffs on the terminal, wrapped to its width.
enum DefinitionPrinter {
    static func show(_ detail: DefinitionDetail, asOf: String?) {
        let summary = detail.definition
        print("\(summary.term)  \(Terminal.dim(summary.category + (summary.ownerTeam.map { " · owned by \($0)" } ?? "")))")
        guard let version = detail.version else {
            print(asOf.map { "No version was in force on \($0)." } ?? "No certified version yet.")
            return proposals(detail.proposals)
        }
        let state = version.status == .approved ? "certified" : "in force then; now \(version.status.rawValue)"
        let by = version.decidedBy.map { " by \($0)" } ?? ""
        print("Version \(version.version ?? "?"), \(state)\(by) on \(GovernanceText.day(version.decidedAt))\(asOf.map { " (as of \($0))" } ?? "")")
        if summary.status == "deprecated" { print(Terminal.yellow("Deprecated\(summary.replacedBy.map { "; use \($0)" } ?? "").")) }
        if !version.synonyms.isEmpty { print("Also called: \(version.synonyms.joined(separator: ", "))") }
        if let body = version.body, !body.isEmpty {
            print("")
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                for wrapped in Wrapping.lines(String(line), width: Terminal.width) { print(wrapped) }
            }
        }
        let criteria = GovernanceText.criteria(version.criteria)
        if !criteria.isEmpty {
            print("\nCriteria:")
            for line in criteria { print("  " + line) }
        }
        if !version.related.isEmpty { print("\nRelated: \(version.related.joined(separator: ", "))") }
        proposals(detail.proposals)
    }

    private static func proposals(_ open: [VersionView]) {
        guard !open.isEmpty else { return }
        print("")
        for proposal in open {
            let stances = proposal.responses.filter { $0.stance != .comment }.map { "\($0.name) \($0.stance == .consent ? "consents" : "objects")" }
            let line = "Open \(proposal.status.rawValue) \(proposal.id.lowercasedText.prefix(8)) by \(proposal.proposedBy ?? "someone")"
                + (stances.isEmpty ? "" : ": " + stances.joined(separator: ", "))
            for wrapped in Wrapping.lines(line, width: Terminal.width) { print(Terminal.dim(wrapped)) }
        }
    }

    static func show(_ diff: DefinitionDiff) {
        print("\(diff.from) → \(diff.to)")
        guard !diff.isEmpty else { return print("The two versions say the same.") }
        for change in diff.fields {
            print("\(change.field): \(change.before ?? "∅") → \(change.after ?? "∅")")
        }
        if !diff.criteria.isEmpty {
            print("Criteria:")
            for change in diff.criteria {
                switch change.kind {
                case .added: print(Terminal.green("  + \(change.after ?? "")"))
                case .removed: print(Terminal.red("  - \(change.before ?? "")"))
                case .changed: print(Terminal.red("  - \(change.before ?? "")") + "\n" + Terminal.green("  + \(change.after ?? "")"))
                }
            }
        }
        guard diff.body.contains(where: { $0.mark != " " }) else { return }
        print("Body:")
        for line in diff.body {
            let text = "\(line.mark) \(line.text)"
            print(line.mark == "+" ? Terminal.green(text) : line.mark == "-" ? Terminal.red(text) : text)
        }
    }
}
