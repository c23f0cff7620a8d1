import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Plays and SLAs under their decision rights", .serialized)
struct PlayRulesTests {
    /// A priority and a constraint on a KPI, as Rita records them; returns the constraint's reference.
    static func constraint(_ org: GovernedOrg) async throws -> String {
        let kpi = try await org.send(.post, "/records/kpis", as: org.rita.token, json: KPISpineTests.kpi("mql_to_sql", definition: nil))
        let priority = try await org.send(.post, "/records/priorities", as: org.rita.token, json: [
            "kind": "growth", "name": "Grow new business in EMEA", "owner": "team:RevOps", "horizon": "FY2027",
        ])
        #expect(priority.status == .created, "\(String(buffer: priority.body))")
        let constraint = try await org.send(.post, "/records/constraints", as: org.rita.token, json: [
            "priority": FieldValue.text("priorities/\(try priority.decode(RecordResponse.self).id.lowercasedText)"),
            "statement": .text("MQL→SQL below 20% in EMEA"), "kpi": .text("kpis/\(try kpi.decode(RecordResponse.self).id.lowercasedText)"),
            "direction": .text("below"), "threshold": .double(20),
        ])
        #expect(constraint.status == .created, "\(String(buffer: constraint.body))")
        return "constraints/\(try constraint.decode(RecordResponse.self).id.lowercasedText)"
    }

    /// Creates a play as `token` and returns its id, or nil when refused.
    static func play(_ org: GovernedOrg, _ name: String, points: Int, status: PlayStatus = .proposed, constraint: String, as token: String) async throws -> UUID {
        let created = try await org.send(.post, "/records/plays", as: token, json: [
            "name": FieldValue.text(name), "owner": .text("team:RevOps"), "status": .text(status.rawValue), "capacity": .int(Int64(points)),
            "constraint": .text(constraint),
        ])
        #expect(created.status == .created, "\(name): \(String(buffer: created.body))")
        return try created.decode(RecordResponse.self).id
    }

    static func set(_ org: GovernedOrg, _ play: UUID, _ fields: [String: FieldValue], as token: String) async throws -> TestResponse {
        try await org.send(.patch, "/records/plays/\(play.lowercasedText)", as: token, json: fields)
    }

    @Test func activatingNeedsTheRightAndStaysWithinTheLimitAndTheBudgetNamingWhatToStop() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let constraint = try await Self.constraint(org)
            let settings = try await org.send(.post, "/records/organization_settings", as: org.olu.token, json: ["active_play_limit": 2, "play_capacity_per_quarter": 20])
            #expect(settings.status == .created, "\(String(buffer: settings.body))")

            let partners = try await Self.play(org, "Partner events", points: 8, constraint: constraint, as: org.rita.token)
            let refused = try await Self.set(org, partners, ["status": .text("active")], as: org.rita.token)
            #expect(try refused.refusal.code == "no_right")
            #expect(try refused.refusal.message.contains("owners (Dee Deputy, Olu Owner)"), "\(String(buffer: refused.body))")
            #expect(try await Self.set(org, partners, ["status": .text("active")], as: org.olu.token).status == .ok)
            _ = try await Self.play(org, "ABM pilot", points: 10, status: .active, constraint: constraint, as: org.olu.token)
            let webinars = try await Self.play(org, "EMEA webinars", points: 5, constraint: constraint, as: org.rita.token)

            let overLimit = try await Self.set(org, webinars, ["status": .text("active")], as: org.olu.token)
            #expect(try overLimit.refusal.code == "play_limit")
            #expect(try overLimit.refusal.message.contains("at most 2 active plays and 2 are active"))
            #expect(try overLimit.refusal.message.contains("first candidates: ABM pilot (10 points); Partner events (8 points)"), "the largest first")

            #expect(try await org.send(.get, "/records/organization_settings", as: org.olu.token).decode(RecordPage.self).records.count == 1)
            let settingsID = try settings.decode(RecordResponse.self).id
            #expect(try await org.send(.patch, "/records/organization_settings/\(settingsID.lowercasedText)", as: org.olu.token, json: ["active_play_limit": 3]).status == .ok)
            let overBudget = try await Self.set(org, webinars, ["status": .text("active")], as: org.olu.token)
            #expect(try overBudget.refusal.code == "play_budget")
            #expect(try overBudget.refusal.message == "EMEA webinars needs 5 points and the active plays take 18 of the quarter's 20; stopping ABM pilot (10 points) would make room.")

            // A play past its stop date is the first to stop.
            #expect(try await Self.set(org, partners, ["stop_on": .text("2020-01-01")], as: org.olu.token).status == .ok)
            let pastDue = try await Self.set(org, webinars, ["status": .text("active")], as: org.olu.token)
            #expect(try pastDue.refusal.message.contains("stopping Partner events (8 points), past its stop date 2020-01-01 would make room"), "\(String(buffer: pastDue.body))")
            #expect(try await Self.set(org, partners, ["status": .text("stopped"), "rationale": .text("Events do not reach EMEA buyers.")], as: org.olu.token).status == .ok)
            #expect(try await Self.set(org, webinars, ["status": .text("active")], as: org.olu.token).status == .ok)

            let log = try await org.send(.get, "/decisions?type=play.activate", as: org.rita.token).decode([DecisionEntry].self)
            #expect(Set(log.map(\.title)) == ["Activate the play Partner events", "Activate the play ABM pilot", "Stop the play Partner events", "Activate the play EMEA webinars"])
            #expect(log.first { $0.title == "Stop the play Partner events" }?.rationale == "Events do not reach EMEA buyers.")
            #expect(log.allSatisfy { $0.links.contains(constraint) })
        }
    }

    @Test func notNowIsADecisionWithARationaleAndDoneAndStoppedAreFinal() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let constraint = try await Self.constraint(org)
            let play = try await Self.play(org, "Win-back campaign", points: 3, constraint: constraint, as: org.rita.token)
            let bare = try await Self.set(org, play, ["status": .text("not_now")], as: org.olu.token)
            #expect(try bare.refusal.code == "invalid")
            #expect(try bare.refusal.message.contains("give the rationale"))
            let deferred = try await Self.set(org, play, ["status": .text("not_now"), "rationale": .text("Retention waits for Q3.")], as: org.olu.token)
            #expect(deferred.status == .ok, "\(String(buffer: deferred.body))")
            let listed = try await org.send(.get, "/records/plays?status=not_now", as: org.rita.token).decode(RecordPage.self).records
            #expect(listed.map(\.id) == [play])
            let entry = try #require(try await org.send(.get, "/decisions?type=play.activate", as: org.rita.token).decode([DecisionEntry].self).first)
            #expect(entry.title == "Not now: Win-back campaign" && entry.rationale == "Retention waits for Q3.")
            #expect(listed.first?.fields["decision"] == .text("decisions/\(entry.id.lowercasedText)"), "the play points at its decision")

            // Back to proposed by anyone who edits; then its owner (the RevOps team) finishes it without the right.
            #expect(try await Self.set(org, play, ["status": .text("proposed")], as: org.rita.token).status == .ok)
            #expect(try await Self.set(org, play, ["status": .text("active")], as: org.olu.token).status == .ok)
            #expect(try await Self.set(org, play, ["status": .text("done")], as: org.mark.token).refusal.code == "no_right", "Mark is not its owner")
            #expect(try await Self.set(org, play, ["status": .text("done")], as: org.rita.token).status == .ok)
            let reopened = try await Self.set(org, play, ["status": .text("active")], as: org.olu.token)
            #expect(try reopened.refusal.code == "invalid_transition")
            #expect(try reopened.refusal.message.contains("a play that is done stays so; propose a new one"))
            let removed = try await org.send(.delete, "/records/plays/\(play.lowercasedText)", as: org.olu.token)
            #expect(try removed.refusal.code == "invalid_transition")
        }
    }

    @Test func slasChangeUnderTheirRightAndAreLogged() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let sla: [String: FieldValue] = ["name": .text("Sales follows up an MQL within 24 hours"), "from_team": .text("Marketing"), "to_team": .text("Sales")]
            let refused = try await org.send(.post, "/records/slas", as: org.rita.token, json: sla)
            #expect(try refused.refusal.code == "no_right")
            #expect(try refused.refusal.message.contains("set or change the SLA 'Sales follows up an MQL within 24 hours'"))
            let half = try await org.send(.post, "/records/slas", as: org.olu.token, json: sla.merging(["threshold": .double(24)]) { $1 })
            #expect(try half.refusal.message.contains("needs all of kpi, breached_when (above or below) and threshold"))
            let agreed = try await org.send(.post, "/records/slas", as: org.olu.token, json: sla)
            #expect(agreed.status == .created, "\(String(buffer: agreed.body))")
            let log = try await org.send(.get, "/decisions?type=sla.change", as: org.rita.token).decode([DecisionEntry].self)
            #expect(log.map(\.title) == ["SLA agreed: Sales follows up an MQL within 24 hours"])
            #expect(log.first?.links == ["slas/\(try agreed.decode(RecordResponse.self).id.lowercasedText)"])
        }
    }
}
