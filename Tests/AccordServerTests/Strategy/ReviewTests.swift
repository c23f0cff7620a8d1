import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Cadence reviews that force decisions", .serialized)
struct ReviewTests {
    /// Logs a decided decision as `token` and returns its reference.
    static func decide(
        _ org: GovernedOrg, _ title: String, type: String, scope: String? = nil, links: [String] = [], as token: String, reviewOn: String? = nil
    ) async throws -> String {
        var fields: RecordFields = ["title": .text(title), "decision_type": .text(type), "rationale": .text("\(title)."), "status": .text("decided")]
        if let reviewOn { fields["review_on"] = .text(reviewOn) }
        if let scope { fields["scope"] = .text(scope) }
        if !links.isEmpty { fields["links"] = .strings(links) }
        let logged = try await org.send(.post, "/records/decisions", as: token, json: fields)
        #expect(logged.status == .created, "\(String(buffer: logged.body))")
        return "decisions/\(try logged.decode(RecordResponse.self).id.lowercasedText)"
    }

    @Test func aReviewGathersWhatNeedsADecisionAndClosesOnlyWhenEveryItemHasOne() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let today = Int64((Date().timeIntervalSince1970 / 86_400).rounded(.down))
            let lastMonth = Period.containing(today, grain: .month).shifted(by: 1).description
            var hours = KPISpineTests.kpi("followup_hours", definition: nil)
            hours["aggregation"] = .text("average"); hours["direction"] = .text("lower_is_better"); hours["cumulative"] = .bool(false)
            let kpi = "kpis/\(try await org.send(.post, "/records/kpis", as: org.rita.token, json: hours).decode(RecordResponse.self).id.lowercasedText)"
            #expect(try await org.send(.post, "/records/targets", as: org.olu.token, json: [
                "kpi": FieldValue.text(kpi), "period": .text(lastMonth), "value": .double(24), "variance_kind": .text("absolute"), "variance": .double(2),
            ]).status == .created)
            #expect(try await org.send(.post, "/records/measurements", as: org.rita.token, json: ["kpi": FieldValue.text(kpi), "period": .text(lastMonth), "value": .double(30)]).status == .created)
            let sla = try await org.send(.post, "/records/slas", as: org.olu.token, json: [
                "name": FieldValue.text("Follow up within a day"), "from_team": .text("Marketing"), "to_team": .text("Sales"), "kpi": .text(kpi),
                "breached_when": .text("above"), "threshold": .double(24),
            ])
            #expect(sla.status == .created)
            let play = try await org.send(.post, "/records/plays", as: org.olu.token, json: [
                "name": FieldValue.text("Trade shows"), "owner": .text("team:Marketing"), "status": .text("active"), "stop_on": .text("2020-01-01"),
            ]).decode(RecordResponse.self).id
            _ = try await Self.decide(org, "Shift 10% to webinars", type: "budget.shift", as: org.olu.token, reviewOn: "2020-06-30")

            let opened = try await org.send(.post, "/reviews", as: org.rita.token, json: ReviewRequest(cadence: .monthly, period: lastMonth))
            #expect(opened.status == .created, "\(String(buffer: opened.body))")
            let review = try opened.decode(ReviewView.self)
            #expect(review.items.map(\.kind) == [.kpi, .sla, .play, .decision])
            #expect(review.items.map(\.title) == [
                "MQLs off track in \(lastMonth): 30 against 24", "SLA breached in \(lastMonth): Follow up within a day (30 against 24)",
                "Trade shows is past its stop date 2020-01-01", "Due for review since 2020-06-30: Shift 10% to webinars",
            ])
            #expect(review.openedBy == org.rita.id && review.status == .open)
            let path = "/records/reviews/\(review.id.lowercasedText)"
            let early = try await org.send(.patch, path, as: org.rita.token, json: ["status": "closed", "summary": "Done."])
            #expect(try early.refusal.code == "items_open")
            #expect(try early.refusal.message.hasPrefix("4 items still need a decision before the review closes: MQLs off track"))

            func item(_ index: Int) -> String { "/records/review_items/\(review.items[index].id.lowercasedText)" }
            func links(_ index: Int) -> [String] { [review.items[index].subject, "review_items/\(review.items[index].id.lowercasedText)"] }
            #expect(try await org.send(.patch, item(0), as: org.rita.token, json: ["outcome": "hold"]).refusal.message.contains("needs its decision in the log"))
            let unrelated = try await Self.decide(org, "Something else", type: "target.change", scope: "followup_hours", as: org.olu.token)
            let borrowed = try await org.send(.patch, item(0), as: org.rita.token, json: ["outcome": FieldValue.text("hold"), "decision": .text(unrelated)])
            #expect(try borrowed.refusal.message.contains("must be decided, logged under target.change, and link review_items/"), "a decision that is not the item's own")
            #expect(try await org.send(.delete, item(0), as: org.olu.token).refusal.message.contains("decide it (hold, if nothing changes) rather than remove it"))
            let outcomes: [(ReviewOutcome, String, String?)] = [
                (.hold, try await Self.decide(org, "Hold the follow-up target", type: "target.change", scope: "followup_hours", links: links(0), as: org.olu.token), nil),
                (.act, try await Self.decide(org, "Route MQLs by region", type: "sla.change", links: links(1), as: org.olu.token), nil),
                (.stop, try await Self.decide(org, "Stop trade shows", type: "play.activate", links: links(2), as: org.olu.token), "plays/\(play.lowercasedText)"),
                (.hold, try await Self.decide(org, "Keep the webinar budget", type: "budget.shift", links: links(3), as: org.olu.token), nil),
            ]
            let bareStop = try await org.send(.patch, item(2), as: org.rita.token, json: ["outcome": FieldValue.text("stop"), "decision": .text(outcomes[2].1)])
            #expect(try bareStop.refusal.message.contains("Stopping needs the play or target it stops"))
            for (index, (outcome, decision, changes)) in outcomes.enumerated() {
                var fields: RecordFields = ["outcome": .text(outcome.rawValue), "decision": .text(decision)]
                if let changes { fields["changes"] = .text(changes) }
                let decided = try await org.send(.patch, item(index), as: org.rita.token, json: fields)
                #expect(decided.status == .ok, "\(String(buffer: decided.body))")
            }
            let closed = try await org.send(.patch, path, as: org.rita.token, json: ["status": "closed", "summary": "Follow-up held; trade shows stopped."])
            #expect(closed.status == .ok, "\(String(buffer: closed.body))")
            let read = try await org.send(.get, "/reviews/\(review.id.lowercasedText)", as: org.mark.token).decode(ReviewView.self)
            #expect(read.status == .closed && read.closedBy == org.rita.id && read.closedAt != nil && read.undecided.isEmpty)
            #expect(read.items.map(\.outcome) == [.hold, .act, .stop, .hold])
            #expect(try await org.send(.patch, path, as: org.olu.token, json: ["summary": "Rewritten."]).refusal.code == "invalid_transition", "a closed review stays as it was")
            #expect(try await org.send(.patch, item(0), as: org.olu.token, json: ["outcome": "act"]).refusal.code == "invalid_transition")
            let wrongGrain = try await org.send(.post, "/reviews", as: org.rita.token, json: ReviewRequest(cadence: .quarterly, period: lastMonth))
            #expect(wrongGrain.status == .unprocessableContent)
        }
    }

    @Test func decidingAnItemIsOneStepThatLandsWholeOrNotAtAll() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let play = try await org.send(.post, "/records/plays", as: org.olu.token, json: [
                "name": FieldValue.text("Trade shows"), "owner": .text("team:Marketing"), "status": .text("active"), "stop_on": .text("2020-01-01"),
            ]).decode(RecordResponse.self).id
            let review = try await org.send(.post, "/reviews", as: org.rita.token, json: ReviewRequest(cadence: .monthly)).decode(ReviewView.self)
            let item = try #require(review.items.first { $0.kind == .play })
            let decide = "/reviews/\(review.id.lowercasedText)/items/\(item.id.lowercasedText)/decide"
            let before = try await org.send(.get, "/decisions?type=play.activate", as: org.olu.token).decode([DecisionEntry].self).count

            let refused = try await org.send(.post, decide, as: org.rita.token, json: ReviewDecisionRequest(outcome: .stop, rationale: "Out of date."))
            #expect(try refused.refusal.code == "no_right", "Rita may not stop plays")
            #expect(try await org.send(.get, "/decisions?type=play.activate", as: org.olu.token).decode([DecisionEntry].self).count == before, "nothing was logged")
            #expect(try await org.send(.get, "/reviews/\(review.id.lowercasedText)", as: org.rita.token).decode(ReviewView.self).items.first { $0.id == item.id }?.outcome == nil)
            let empty = try await org.send(.post, decide, as: org.olu.token, json: ["outcome": "hold", "rationale": " "])
            #expect(try empty.refusal.message.contains("a decision needs its rationale"))

            let decided = try await org.send(.post, decide, as: org.olu.token, json: ReviewDecisionRequest(outcome: .stop, rationale: "Out of date."))
            #expect(decided.status == .ok, "\(String(buffer: decided.body))")
            #expect(try decided.decode(ReviewView.self).items.first { $0.id == item.id }.map { $0.outcome == .stop && $0.changes == "plays/\(play.lowercasedText)" } == true)
            let stopped = try await org.send(.get, "/records/plays/\(play.lowercasedText)", as: org.olu.token).decode(RecordResponse.self)
            #expect(stopped.fields["status"] == .text("stopped"), "the play stops with the outcome")
            let close = "/reviews/\(review.id.lowercasedText)/close"
            let closed = try await org.send(.post, close, as: org.rita.token, json: ReviewCloseRequest(summary: "Stopped trade shows."))
            #expect(closed.status == .ok, "\(String(buffer: closed.body))")
            #expect(try closed.decode(ReviewView.self).status == .closed)
            #expect(try await org.send(.post, decide, as: org.olu.token, json: ReviewDecisionRequest(outcome: .hold, rationale: "Again.")).refusal.message.contains("is closed"))
        }
    }
}
