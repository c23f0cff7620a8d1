import AccordClient
import AccordCore
import Foundation
import Testing

/// The demo's Acme: Dana (owner, RevOps) decides lifecycle stages, Marco (Marketing) and Priya (Sales) must
/// agree, and an MQL 2.0 proposal waits for Priya.
@Suite("Governance with the accord command line", .serialized)
struct GovernanceCommandLineTests {
    @Test func proposeConsentAndApproveOfflineAndOnlineThenReadHistoryDiffImpactAndInbox() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        let marco = Person(home: workspace.directory.appendingPathComponent("marco"))
        let priya = Person(home: workspace.directory.appendingPathComponent("priya"))
        for (person, email) in [(dana, "dana@northwind.example"), (marco, "marco@acme.example"), (priya, "priya@acme.example")] {
            #expect(try await person.run("login", server.url, "--email", email, input: "accord-demo-password\n").status == 0)
            #expect(try await person.run("use", "acme").status == 0)
            #expect(try await person.run("sync").status == 0)
        }
        let definitions = try await dana.json([DefinitionSummary].self, "defs")
        #expect(definitions.map(\.term).sorted() == ["ICP tier 1", "MQL", "Pipeline", "SQL"] && definitions.allSatisfy { $0.version == "1.0" })
        let waiting = try await priya.json([InboxItem].self, "inbox")
        #expect(waiting.filter { $0.kind != .informed }.map(\.kind) == [.agree] && waiting.first?.title == "MQL: proposed change", "\(waiting)")
        #expect(waiting.filter { $0.kind == .informed }.count == 4, "everyone is told of the workshop's four definitions")
        let deciding = try await dana.json([InboxItem].self, "inbox")
        #expect(deciding.first { $0.kind == .decide }?.detail.contains("the Sales team (Priya Natarajan)") == true, "\(deciding)")

        // On a plane: Priya consents, Marco proposes a change to SQL, Dana approves MQL 2.0.
        server.stop()
        let consented = try await priya.run("def", "consent", "mql", "--comment", "Fine by Sales")
        #expect(consented.status == 0 && consented.standardOutput.contains("consented to the proposed change to MQL; queued"), "\(consented)")
        let text = workspace.directory.appendingPathComponent("sql.md")
        try "An [[MQL]] that a Sales rep accepted within 5 days of the hand-off.".write(to: text, atomically: true, encoding: .utf8)
        let proposed = try await marco.run("def", "propose", "SQL", "--file", text.path, "--rationale", "Add the 5-day window from the SLA.")
        #expect(proposed.status == 0 && proposed.standardError.isEmpty, "Marketing may propose lifecycle stages: \(proposed.standardError)")
        let early = try await dana.run("def", "approve", "MQL")
        #expect(early.status == 0, "the approval is queued all the same")
        #expect(early.standardError.contains("(awaiting_consent)") && early.standardError.contains("Priya Natarajan"), "\(early.standardError)")

        server = try await RunningServer.start(in: workspace, port: server.port)
        #expect(try await priya.run("sync").status == 0)
        #expect(try await marco.run("sync").status == 0)
        let judged = try await dana.run("sync")
        #expect(judged.status == 0 && judged.standardOutput.contains("0 rejected"), "the server judges with Priya's consent in: \(judged.standardOutput)")
        let history = try await dana.json([VersionView].self, "def", "history", "MQL")
        #expect(history.map(\.label) == ["1.0", "2.0"] && history.map(\.status) == [.superseded, .approved])
        #expect(history.last?.responses.map(\.name) == ["Marco Silva", "Priya Natarajan"])
        let diff = try await dana.json(DefinitionDiff.self, "def", "diff", "MQL", "1.0", "2.0")
        #expect(diff.criteria.map(\.kind) == [.changed, .changed] && diff.fields.map(\.field) == ["breaking"])
        #expect(diff.body.filter { $0.mark == "+" }.map(\.text) == ["A lead Marketing hands to Sales: it fits the [[ICP tier 1]] and scored 70 or more."])
        let shown = try await Accord.runOnTerminal(["def", "show", "MQL"], home: dana.home, columns: 80)
        #expect(shown.standardOutput.contains("Version 2.0, certified by Dana Whitfield"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("lead_score >= 70"))
        let asOf = try await dana.json(DefinitionDetail.self, "def", "show", "MQL", "--as-of", "2020-01-01")
        #expect(asOf.version == nil, "nothing was in force before the workshop")

        // Online: the SQL change goes through the same steps.
        for person in [marco, priya] {
            #expect(try await person.run("sync").status == 0)
            let consent = try await person.run("def", "consent", "SQL")
            #expect(consent.status == 0 && consent.standardError.isEmpty, "\(consent)")
            let sync = try await person.run("sync")
            #expect(sync.status == 0, "\(sync)")
        }
        #expect(try await dana.run("sync").status == 0)
        let selfApproval = try await marco.run("def", "approve", "SQL")
        #expect(selfApproval.standardError.contains("(no_right)"), "Marco is no decider: \(selfApproval.standardError)")
        #expect(try await marco.run("sync").status == 4, "the refused approval waits in the rejection inbox")
        #expect(try await dana.run("def", "approve", "SQL", "--comment", "Matches the SLA").status == 0)
        #expect(try await dana.run("sync").status == 0)
        #expect(try await marco.run("sync").status == 4)
        #expect(try await marco.json(DefinitionDetail.self, "def", "show", "SQL").version?.version == "1.1")

        let impact = try await dana.json([ReferenceIndex.Entry].self, "def", "impact", "MQL")
        #expect(Set(impact.map(\.collection)) == ["decisions", "definition_versions", "notes", "kpis"], "\(impact)")
        #expect(impact.contains { $0.collection == "kpis" && $0.title == "MQLs" && $0.via == "reference" }, "the KPI that measures it")
        #expect(impact.contains { $0.collection == "definition_versions" && $0.title == "SQL" && $0.via == "link" })
        let table = try await Accord.runOnTerminal(["def", "history", "MQL"], home: dana.home, columns: 80)
        Layout.check(table.standardOutput, width: 80, rows: 2)
        #expect(try await priya.run("sync").status == 0)
        let informed = try await priya.json([InboxItem].self, "inbox")
        #expect(informed.allSatisfy { $0.kind == .informed }, "nothing waits for Priya now: \(informed)")
        #expect(informed.filter { $0.detail.contains("version 2.0") || $0.detail.contains("version 1.1") }.map(\.title).sorted() == ["MQL changed", "SQL changed"])
        let check = try await marco.json(RightsCheckAnswer.self, "rights", "check", "definition.change", "--scope", "lifecycle_stage")
        #expect(check.checks.first { $0.role == .recommend }?.matched == .team("Marketing") && check.checks.first { $0.role == .decide }?.holds == false)
        let log = try await dana.json([DecisionEntry].self, "decisions", "--type", "definition.change")
        #expect(log.map(\.title).filter { $0.hasPrefix("MQL") || $0.hasPrefix("SQL") }.sorted() == ["MQL 1.0 approved", "MQL 2.0 approved", "SQL 1.0 approved", "SQL 1.1 approved"])
        let audit = try await dana.json(AuditPage.self, "audit", "--collection", "definition_versions", "--limit", "5")
        #expect(audit.entries.count == 5 && audit.entries.first?.actorName == "Dana Whitfield" && audit.nextBefore != nil)
    }
}
