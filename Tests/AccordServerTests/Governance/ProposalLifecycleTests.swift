import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Definitions under change control, over REST against PostgreSQL")
struct ProposalLifecycleTests {
    static let criteria = #"[{"field": "lead_score", "op": ">=", "value": 60}]"#

    @Test func aProposalNeedsEveryConsentBlocksOnAnObjectionAndBecomesTheCertifiedVersion() async throws {
        let clock = SettableClock()
        try await TestServer.with(adjust: { $0.clock = clock.now }) { server in
            let org = try await GovernedOrg.make(server)
            _ = try await org.define("MQL")
            let first = try await org.propose("MQL", as: org.rita.token, ProposalRequest(
                body: "A lead that engaged.\nScored by Marketing.", criteria: Self.criteria, synonyms: ["Marketing qualified lead"],
                rationale: "One definition for both teams."
            ))
            #expect(first.status == .proposed && first.proposedBy == "Rita RevOps" && first.version == nil)

            let early = try await org.act(.approve, first, as: org.olu.token)
            #expect(early.status == .unprocessableContent)
            #expect(try early.refusal.code == "awaiting_consent")
            let waiting = try early.refusal.message
            #expect(waiting.contains("the Marketing team (Mark Marketing)"), "\(waiting)")
            #expect(try early.refusal.message.contains("the Sales team (Sam Sales)"))

            let outsider = try await org.act(.consent, first, as: org.rita.token)
            #expect(try outsider.refusal.code == "no_right", "Rita holds no agree part")
            #expect(try await org.act(.consent, first, as: org.mark.token).status == .ok)
            let bare = try await org.act(.object, first, as: org.sam.token)
            #expect(try bare.refusal.message.contains("says why"), "an objection needs a reason")
            #expect(try await org.act(.object, first, as: org.sam.token, comment: "Sales needs a company-size test").status == .ok)
            let vetoed = try await org.act(.approve, first, as: org.olu.token)
            #expect(try vetoed.refusal.code == "objection")
            #expect(try vetoed.refusal.message.contains("Sam Sales objects: \"Sales needs a company-size test\""))

            #expect(try await org.act(.consent, first, as: org.sam.token).status == .ok, "consenting withdraws the objection")
            let notDecider = try await org.act(.approve, first, as: org.rita.token)
            #expect(try notDecider.refusal.code == "no_right")
            let decider = try notDecider.refusal.message
            #expect(decider.contains("Olu Owner"), "the reason names the decider: \(decider)")
            let approved = try await org.act(.approve, first, as: org.olu.token, comment: "Agreed at the pipeline review")
            #expect(approved.status == .ok, "\(String(buffer: approved.body))")
            let certified = try approved.decode(VersionView.self)
            #expect(certified.status == .approved && certified.version == "1.0" && certified.decidedBy == "Olu Owner")
            #expect(certified.responses.map(\.stance) == [.consent, .consent])

            let detail = try await org.send(.get, "/definitions/mql", as: org.mark.token).decode(DefinitionDetail.self)
            #expect(detail.definition.version == "1.0" && detail.definition.certifiedBy == "Olu Owner" && detail.version?.id == first.id)
            let logged = try await org.send(.get, "/decisions?type=definition.change", as: org.mark.token).decode([DecisionEntry].self)
            #expect(logged.map(\.title) == ["MQL 1.0 approved"])
            #expect(logged.first?.links.contains("definitions/\(detail.definition.id.lowercasedText)") == true)

            let edited = try await org.send(.patch, "/records/definition_versions/\(first.id.lowercasedText)", as: org.olu.token, json: ["body": "changed in place"])
            #expect(try edited.refusal.code == "frozen", "a certified version is never edited in place")
            let renamed = try await org.send(.patch, "/records/definitions/\(detail.definition.id.lowercasedText)", as: org.olu.token, json: ["term": "Lead"])
            #expect(try renamed.refusal.code == "governed")
        }
    }

    @Test func nobodyApprovesTheirOwnProposalAndTheDecisionEscalatesAfterItsDays() async throws {
        let clock = SettableClock()
        try await TestServer.with(adjust: { $0.clock = clock.now }) { server in
            let org = try await GovernedOrg.make(server)
            _ = try await org.define("SQL")
            let own = try await org.propose("SQL", as: org.olu.token, ProposalRequest(body: "Accepted by Sales.", rationale: "Olu writes it."))
            try await org.consentAll(own)
            let selfApproved = try await org.act(.approve, own, as: org.olu.token)
            #expect(try selfApproved.refusal.code == "separation_of_duties")

            let tooSoon = try await org.act(.approve, own, as: org.dee.token)
            #expect(try tooSoon.refusal.code == "no_right", "Dee decides only once it has waited \(GovernedOrg.escalationDays) days")
            let deeInbox = try await org.send(.get, "/inbox", as: org.dee.token).decode([InboxItem].self)
            #expect(!deeInbox.contains { $0.kind == .escalated })

            clock.advance(by: GovernedOrg.escalationDays * 86_400 + 60)
            let escalated = try await org.send(.get, "/inbox", as: org.dee.token).decode([InboxItem].self)
            #expect(escalated.filter { $0.kind == .escalated }.map(\.record) == ["definition_versions/\(own.id.lowercasedText)"])
            #expect(escalated.first { $0.kind == .escalated }?.detail.contains("escalated to you after 3 days") == true)
            let check = try await org.send(.get, "/rights/check?type=definition.change&scope=lifecycle_stage&user=dee@example.com", as: org.rita.token)
                .decode(RightsCheckAnswer.self)
            #expect(check.checks.first { $0.role == .recommend }?.matched == .role(.owner))
            let approved = try await org.act(.approve, own, as: org.dee.token)
            #expect(approved.status == .ok, "\(String(buffer: approved.body))")
            #expect(try approved.decode(VersionView.self).decidedBy == "Dee Deputy")
        }
    }

    @Test func aRejectedProposalLeavesTheCurrentVersionAndHistoryReadsAsOfAnyDate() async throws {
        let clock = SettableClock()
        try await TestServer.with(adjust: { $0.clock = clock.now }) { server in
            let org = try await GovernedOrg.make(server)
            let definition = try await org.define("Pipeline")
            let before = clock.now()
            let one = try await org.propose("Pipeline", as: org.rita.token, ProposalRequest(
                body: "Open opportunities.\nIn every stage.", criteria: Self.criteria, rationale: "First."
            ))
            try await org.consentAll(one)
            #expect(try await org.act(.approve, one, as: org.olu.token).status == .ok)
            clock.advance(by: 86_400)
            let afterOne = clock.now()
            clock.advance(by: 86_400)
            let two = try await org.propose("Pipeline", as: org.rita.token, ProposalRequest(
                body: "Open opportunities.\nFrom stage 2 on.\nNew business only.",
                criteria: #"[{"field": "lead_score", "op": ">=", "value": 70}, {"field": "stage", "op": ">=", "value": 2}]"#,
                rationale: "Stage 1 is noise.", breaking: true
            ))
            try await org.consentAll(two)
            #expect(try await org.act(.approve, two, as: org.olu.token).status == .ok)

            let three = try await org.propose("Pipeline", as: org.rita.token, ProposalRequest(body: "Everything.", rationale: "Simpler."))
            let bare = try await org.act(.reject, three, as: org.olu.token)
            #expect(try bare.refusal.message.contains("needs a reason"))
            let rejected = try await org.act(.reject, three, as: org.olu.token, comment: "Finance reports new business only")
            #expect(try rejected.decode(VersionView.self).status == .rejected)
            let now = try await org.send(.get, "/definitions/pipeline", as: org.sam.token).decode(DefinitionDetail.self)
            #expect(now.definition.version == "2.0" && now.definition.status == "active", "a rejection never marks the term rejected")
            #expect(now.version?.id == two.id && now.proposals.isEmpty)

            let stamp = { (date: Date) in FieldSchema.canonicalTime(date).replacingOccurrences(of: ":", with: "%3A") }
            let asOfOne = try await org.send(.get, "/definitions/pipeline?as_of=\(stamp(afterOne))", as: org.sam.token).decode(DefinitionDetail.self)
            #expect(asOfOne.version?.version == "1.0")
            let asOfNothing = try await org.send(.get, "/definitions/\(definition.lowercasedText)?as_of=\(stamp(before.addingTimeInterval(-1)))", as: org.sam.token)
                .decode(DefinitionDetail.self)
            #expect(asOfNothing.version == nil, "before its first approval nothing was in force")

            let versions = try await org.send(.get, "/definitions/pipeline/versions", as: org.sam.token).decode([VersionView].self)
            #expect(versions.map(\.label) == ["1.0", "2.0", "rejected \(three.id.lowercasedText.prefix(8))"])
            #expect(versions.map(\.status) == [.superseded, .approved, .rejected])

            let diff = try await org.send(.get, "/definitions/pipeline/diff?from=1.0&to=2.0", as: org.sam.token).decode(DefinitionDiff.self)
            #expect(diff.body.map { $0.mark + $0.text } == [" Open opportunities.", "-In every stage.", "+From stage 2 on.", "+New business only."])
            #expect(diff.criteria.map(\.kind) == [.changed, .added])
            #expect(diff.criteria.first?.after == #"{"field":"lead_score","op":">=","value":70}"#)
            #expect(diff.fields.map(\.field) == ["breaking"])
            let unknown = try await org.send(.get, "/definitions/pipeline/diff?from=9.9", as: org.sam.token)
            #expect(unknown.status == .notFound)
            #expect(try unknown.refusal.message.contains("1.0, 2.0"))
        }
    }

    @Test func aDeprecationNamesItsReplacementAndOnlyTheProposerWithdraws() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            for term in ["Lead", "MQL"] {
                _ = try await org.define(term)
                let first = try await org.propose(term, as: org.rita.token, ProposalRequest(body: "\(term), as agreed.", rationale: "First."))
                try await org.consentAll(first)
                #expect(try await org.act(.approve, first, as: org.olu.token).status == .ok)
            }
            let noReplacement = try await org.send(.post, "/definitions/Lead/proposals", as: org.rita.token, json: ProposalRequest(rationale: "Old.", deprecate: true))
            #expect(try noReplacement.refusal.message.contains("names its replacement"))
            let mql = try await org.send(.get, "/definitions/MQL", as: org.rita.token).decode(DefinitionDetail.self).definition.id
            let deprecation = try await org.propose("Lead", as: org.rita.token, ProposalRequest(rationale: "MQL says it better.", deprecate: true, replacement: mql))
            let commented = try await org.act(.comment, deprecation, as: org.rita.token, comment: "Dashboards move to MQL next sprint")
            #expect(try commented.decode(VersionView.self).responses.map(\.stance) == [.comment], "anyone may comment; it does not count as consent")
            let notTheirs = try await org.act(.withdraw, deprecation, as: org.mark.token)
            #expect(try notTheirs.refusal.code == "not_proposer")
            try await org.consentAll(deprecation)
            #expect(try await org.act(.approve, deprecation, as: org.olu.token).status == .ok)
            let lead = try await org.send(.get, "/definitions", as: org.sam.token).decode([DefinitionSummary].self).first { $0.term == "Lead" }
            #expect(lead?.status == "deprecated" && lead?.replacedBy == "MQL" && lead?.version == "1.1")

            let second = try await org.propose("MQL", as: org.rita.token, ProposalRequest(body: "Changed my mind.", rationale: "Try."))
            let withdrawn = try await org.act(.withdraw, second, as: org.rita.token)
            #expect(try withdrawn.decode(VersionView.self).status == .withdrawn)
            let late = try await org.act(.consent, second, as: org.mark.token)
            #expect(try late.refusal.code == "closed", "a withdrawn proposal takes no more responses")
            let revived = try await org.act(.approve, second, as: org.olu.token)
            #expect(try revived.refusal.code == "invalid_transition")
        }
    }
}
