import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The decision log, impact analysis and the audit, over REST against PostgreSQL")
struct DecisionLogTests {
    @Test func aNewDecisionSupersedesADecidedOneWhichStaysReadableAndNeverChanges() async throws {
        let clock = SettableClock()
        try await TestServer.with(adjust: { $0.clock = clock.now }) { server in
            let org = try await GovernedOrg.make(server)
            let first: RecordFields = [
                "title": .text("Events budget stays"), "decision_type": .text("budget.shift"), "rationale": .text("Q4 pipeline depends on it."),
                "status": .text("decided"), "cadence": .text("quarterly"), "review_on": .text("2027-01-01"),
            ]
            let byEditor = try await org.send(.post, "/records/decisions", as: org.rita.token, json: first)
            #expect(try byEditor.refusal.code == "no_right", "budget.shift is decided by the owners by default")
            let created = try await org.send(.post, "/records/decisions", as: org.olu.token, json: first)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let old = try created.decode(RecordResponse.self)
            #expect(old.fields["decided_by"] == .text(org.olu.id.lowercasedText) && old.fields["decided_on"] == .text(CalendarDate.text(clock.now())))

            let edited = try await org.send(.patch, "/records/decisions/\(old.id.lowercasedText)", as: org.olu.token, json: ["title": "Events budget grows"])
            #expect(try edited.refusal.code == "append_only")
            var second = first
            second["title"] = .text("Shift 10% of events to partner webinars")
            second["supersedes"] = .text("decisions/\(old.id.lowercasedText)")
            second["review_on"] = .null
            let replacing = try await org.send(.post, "/records/decisions", as: org.olu.token, json: second)
            #expect(replacing.status == .created, "\(String(buffer: replacing.body))")
            let new = try replacing.decode(RecordResponse.self)

            let superseded = try await org.send(.get, "/decisions?status=superseded", as: org.sam.token).decode([DecisionEntry].self)
            #expect(superseded.map(\.id) == [old.id] && superseded.first?.supersededBy == new.id, "linked both ways")
            let current = try await org.send(.get, "/decisions?type=budget.shift&status=decided", as: org.sam.token).decode([DecisionEntry].self)
            #expect(current.map(\.id) == [new.id] && current.first?.supersedes == old.id)
            let byOlu = try await org.send(.get, "/decisions?decider=olu@example.com&cadence=quarterly", as: org.sam.token).decode([DecisionEntry].self)
            #expect(Set(byOlu.map(\.id)) == [old.id, new.id])
            let again = try await org.send(.post, "/records/decisions", as: org.olu.token, json: second)
            #expect(try again.refusal.message.contains("Only a decided decision can be superseded"))

            var due = first
            due["title"] = .text("Revisit the MQL threshold")
            due["review_on"] = .text(CalendarDate.text(clock.now()))
            #expect(try await org.send(.post, "/records/decisions", as: org.olu.token, json: due).status == .created)
            let dueNow = try await org.send(.get, "/decisions?due=true", as: org.olu.token).decode([DecisionEntry].self)
            #expect(dueNow.map(\.title) == ["Revisit the MQL threshold"], "the superseded one is not due any more")
            let inbox = try await org.send(.get, "/inbox", as: org.olu.token).decode([InboxItem].self)
            #expect(inbox.filter { $0.kind == .reviewDue }.map(\.title) == ["Revisit the MQL threshold"])
            let unknown = try await org.send(.get, "/decisions?colour=red", as: org.olu.token)
            #expect(unknown.status == .unprocessableContent)
        }
    }

    @Test func impactFindsReferencesDecisionLinksAndTermLinksButNotTheDefinitionsOwnHistory() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let mql = try await org.define("MQL")
            let version = try await org.propose("MQL", as: org.rita.token, ProposalRequest(body: "Scored 60+.", synonyms: ["Marketing qualified lead"], rationale: "First."))
            try await org.consentAll(version)
            #expect(try await org.act(.approve, version, as: org.olu.token).status == .ok)
            _ = try await org.define("SQL")
            let sql = try await org.propose("SQL", as: org.rita.token, ProposalRequest(body: "An [[mql]] that Sales accepted.", rationale: "First."))
            try await org.consentAll(sql)
            #expect(try await org.act(.approve, sql, as: org.olu.token).status == .ok)
            let notes = "/records/notes"
            #expect(try await org.send(.post, notes, as: org.mark.token, json: ["title": "Q3 dip", "body": "Fewer [[Marketing qualified lead|MQLs]] after the show."]).status == .created)
            #expect(try await org.send(.post, notes, as: org.mark.token, json: ["title": "Pinned", "subject": "definitions/\(mql.lowercasedText)"]).status == .created)
            #expect(try await org.send(.post, notes, as: org.mark.token, json: ["title": "Unrelated", "body": "About [[Pipeline]] and MQL in passing."]).status == .created)

            let impact = try await org.send(.get, "/definitions/MQL/impact", as: org.sam.token).decode([ReferenceIndex.Entry].self)
            let found = impact.map { "\($0.collection) \($0.title) \($0.field) \($0.via)" }
            #expect(found == [
                "decisions MQL 1.0 approved links reference",
                "definition_versions SQL body link",
                "notes Pinned subject reference",
                "notes Q3 dip body link",
            ], "the decision that certified it, a synonym's link, a reference; not its own versions nor an unlinked mention")
        }
    }

    @Test func theAuditReadsTheChangeLogByRecordActorAndTimePaged() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let mql = try await org.define("MQL")
            let version = try await org.propose("MQL", as: org.rita.token, ProposalRequest(body: "Scored 60+.", rationale: "First."))
            try await org.consentAll(version)
            #expect(try await org.act(.approve, version, as: org.olu.token).status == .ok)

            let record = try await org.send(.get, "/audit?record=\(version.id.lowercasedText)", as: org.sam.token).decode(AuditPage.self)
            #expect(record.entries.map(\.operation) == [.update, .create], "newest first")
            #expect(record.entries.first?.actorName == "Olu Owner" && record.entries.first?.fields["status"] == .text("approved"))
            #expect(record.entries.first?.previous["status"] == .text("proposed"), "old and new values")
            let byRita = try await org.send(.get, "/audit?actor=\(org.rita.id.lowercasedText)&collection=definitions", as: org.sam.token).decode(AuditPage.self)
            #expect(byRita.entries.map(\.recordID) == [mql])

            var seen: [Int64] = []
            var before: Int64?
            repeat {
                let page = try await org.send(.get, "/audit?limit=3" + (before.map { "&before=\($0)" } ?? ""), as: org.sam.token).decode(AuditPage.self)
                #expect(page.entries.count <= 3)
                seen += page.entries.map(\.seq)
                before = page.nextBefore
            } while before != nil
            #expect(seen == seen.sorted(by: >) && Set(seen).count == seen.count && seen.last == 1, "every change once, newest first: \(seen)")
            let bad = try await org.send(.get, "/audit?since=yesterday", as: org.sam.token)
            #expect(bad.status == .unprocessableContent)
        }
    }
}
