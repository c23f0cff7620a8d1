import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

/// Budgets a team decides for itself, which a freeze of the team stops, and whose every amount is logged by a
/// follow-up change the server makes: rules that read the member's teams and another collection.
enum BudgetRules {
    static let limit: Int64 = 1_000_000

    static let freezes = CollectionSchema(
        name: "freezes", fields: [FieldSchema("team", .text, .lww, required: true), FieldSchema("reason", .text, .lww)]
    )

    static let budgetChanges = CollectionSchema(
        name: "budget_changes",
        fields: [FieldSchema("budget", .reference, .lww, required: true), FieldSchema("amount", .integer, .lww, required: true)],
        appendOnly: true,
        rules: [
            CollectionRule("amounts stay within the limit") { input in
                guard case .int(let amount)? = input.merged?["amount"], amount > limit else { return .accept }
                return .reject("over_limit", "\(amount) is over the limit of \(limit); ask Finance to raise it first.")
            },
        ]
    )

    static let budgets = CollectionSchema(
        name: "budgets",
        fields: [FieldSchema("team", .text, .lww, required: true), FieldSchema("amount", .integer, .lww)],
        rules: [
            CollectionRule("a team decides its own budget") { input in
                guard case .text(let team)? = (input.merged ?? input.stored)?["team"], !input.actor.isMember(of: team) else { return .accept }
                return .reject("not_team_member", "Only the \(team) team changes its budget; ask one of its members.")
            },
            CollectionRule("a frozen team's budget stays") { input in
                guard case .text(let team)? = (input.merged ?? input.stored)?["team"] else { return .accept }
                guard let freeze = try await input.view.records("freezes", matching: ["team": .text(team)]).values.first else { return .accept }
                let why = if case .text(let reason)? = freeze["reason"] { " (\(reason))" } else { "" }
                return .reject("frozen", "The \(team) budget is frozen\(why); ask whoever froze it to lift the freeze.")
            },
            CollectionRule("every amount is logged") { input in
                guard input.changes("amount"), let amount = input.merged?["amount"], amount != .null else { return .accept }
                let entry = FollowUp(.create, "budget_changes", UUID(), ["budget": .text("budgets/\(input.recordID.lowercasedText)"), "amount": amount])
                return .accept(followUps: [entry])
            },
        ]
    )

    static func catalog() throws -> Catalog {
        try Catalog.builtIn.adding(freezes).adding(budgetChanges).adding(budgets)
    }
}

@Suite("Collection rules on the server and the replica", .timeLimit(.minutes(5)))
struct CollectionRuleTests {
    @Test func aRuleReadingAnotherCollectionRefusesThePushAndWarnsTheReplicaFirst() async throws {
        let catalog = try BudgetRules.catalog()
        try await LiveServer.with(catalog: catalog) { live in
            let (token, owner) = try await live.signup("fran@example.com")
            let org = try await live.createOrganization("acme", token: token)
            try await live.setTeams(["Finance"], of: owner.id, in: org.slug, token: token)
            let (samToken, sam) = try await live.signup("sam@example.com")
            try await live.addMember("sam@example.com", role: .editor, to: org.slug, token: token)
            let fran = try TestReplica(live, token: token, org: org.id, catalog: catalog, actor: RuleActor(userID: owner.id, role: .owner, teams: ["Finance"]))
            let samReplica = try TestReplica(live, token: samToken, org: org.id, catalog: catalog, actor: RuleActor(userID: sam.id, role: .editor))
            defer { fran.remove(); samReplica.remove() }

            let budget = try await fran.replica.create("budgets", ["team": .text("Finance"), "amount": .int(100)])
            #expect(budget.warning == nil)
            #expect(try await fran.sync().rejected == 0)

            #expect(try await samReplica.sync().verified, "sam's replica takes the budget in its first snapshot")
            let judged = try await samReplica.replica.update("budgets", budget.id, ["amount": .int(5)])
            #expect(judged.warning?.code == "not_team_member", "sam is in no team, which the replica knows at once")
            _ = try await samReplica.sync()
            let rejected = try samReplica.replica.rejections()
            #expect(rejected.map(\.code) == ["not_team_member"], "the server judges by sam's teams: \(rejected)")
            #expect(judged.warning?.reason == rejected.first?.reason, "the replica's warning is the server's reason")

            try await fran.replica.create("freezes", ["team": .text("Finance"), "reason": .text("Q4 close")])
            #expect(try await fran.sync().rejected == 0)
            let frozen = try await fran.replica.update("budgets", budget.id, ["amount": .int(200)])
            #expect(frozen.warning?.code == "frozen")
            #expect(frozen.warning?.reason == "The Finance budget is frozen (Q4 close); ask whoever froze it to lift the freeze.")
            #expect(try fran.replica.pendingCount() == 1, "a warned write is still queued: the server judges")
            let summary = try await fran.sync()
            #expect(summary.rejected == 1)
            let inbox = try fran.replica.rejections()
            #expect(inbox.map(\.code) == ["frozen"])
            #expect(inbox.first?.reason == frozen.warning?.reason, "the rejection in the inbox carries the rule's reason")
            #expect(try fran.replica.record("budgets", budget.id)?["amount"] == .int(100), "the refused amount is gone from the replica")

            try await fran.replica.delete("freezes", try #require(fran.replica.records("freezes").first).id)
            #expect(try await fran.sync().rejected == 0)
            try await live.setTeams(["Finance"], of: sam.id, in: org.slug, token: token)
            _ = try await samReplica.sync()
            #expect(try samReplica.replica.record("members", sam.id)?["teams"] == .text(#"["Finance"]"#), "the directory syncs")
            let joined = try await samReplica.replica.update("budgets", budget.id, ["amount": .int(6)])
            #expect(joined.warning == nil, "the replica judges by the teams it synced, not the ones it was opened with")
            #expect(try await samReplica.sync().rejected == 0)
        }
    }

    @Test func aFollowUpIsWrittenWithItsChangeAndItsRefusalTakesTheChangeBack() async throws {
        let catalog = try BudgetRules.catalog()
        try await LiveServer.with(catalog: catalog) { live in
            let (token, owner) = try await live.signup("fran@example.com")
            let org = try await live.createOrganization("acme", token: token)
            try await live.setTeams(["Finance"], of: owner.id, in: org.slug, token: token)
            let writer = try TestReplica(live, token: token, org: org.id, catalog: catalog)
            let reader = try TestReplica(live, token: token, org: org.id, catalog: catalog)
            defer { writer.remove(); reader.remove() }
            #expect(try await reader.sync().verified)

            let budget = try await writer.replica.create("budgets", ["team": .text("Finance"), "amount": .int(250)]).id
            #expect(try await writer.sync().rejected == 0)
            let pulled = try await reader.sync()
            #expect(pulled.verified && pulled.pulled == 2, "the budget and the follow-up it asked for: \(pulled)")
            let logged = try reader.replica.records("budget_changes").map(\.fields)
            #expect(logged == [["budget": .text("budgets/\(budget.lowercasedText)"), "amount": .int(250)]])

            let tooMuch = try await writer.replica.create("budgets", ["team": .text("Finance"), "amount": .int(BudgetRules.limit + 1)]).id
            try await writer.replica.update("budgets", budget, ["amount": .int(300)])
            let refused = try await writer.sync()
            #expect(refused.rejected == 1 && refused.verified, "\(refused)")
            let inbox = try writer.replica.rejections()
            #expect(inbox.map(\.code) == ["over_limit"])
            #expect(inbox.first?.recordID == tooMuch)
            #expect(inbox.first?.reason.contains("budget_changes") == true, "the reason names the refused follow-up: \(inbox)")

            let after = try await reader.sync()
            #expect(after.verified && after.pulled == 2, "only the accepted change and its follow-up: \(after)")
            #expect(try reader.replica.record("budgets", tooMuch) == nil, "the refused follow-up took its budget back")
            #expect(Set(try reader.replica.records("budget_changes").compactMap { $0.fields["amount"] }) == [.int(250), .int(300)])
            #expect(try reader.replica.record("budgets", budget)?["amount"] == .int(300), "the mutation after the refused one went through")
        }
    }
}
