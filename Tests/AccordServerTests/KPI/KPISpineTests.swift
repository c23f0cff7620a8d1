import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The KPI spine over REST against PostgreSQL")
struct KPISpineTests {
    static func kpi(_ key: String, definition: UUID?) -> RecordFields {
        var fields: RecordFields = [
            "key": .text(key), "name": .text("MQLs"), "owner": .text("team:Marketing"), "aggregation": .text("sum"), "unit": .text("count"),
            "kind": .text("leading"), "tier": .text("primary"), "direction": .text("higher_is_better"), "grain": .text("month"), "cumulative": .bool(true),
        ]
        if let definition { fields["definition"] = .text("definitions/\(definition.lowercasedText)") }
        return fields
    }

    @Test func targetsChangeUnderTheirRightAndEachChangeIsLogged() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            let created = try await org.send(.post, "/records/kpis", as: org.rita.token, json: Self.kpi("mqls", definition: nil))
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let kpi = "kpis/\(try created.decode(RecordResponse.self).id.lowercasedText)"
            let target: RecordFields = ["kpi": .text(kpi), "period": .text("2026-07"), "value": .double(100), "variance_kind": .text("percent"), "variance": .double(10)]
            let refused = try await org.send(.post, "/records/targets", as: org.rita.token, json: target)
            #expect(try refused.refusal.code == "no_right")
            let reason = try refused.refusal.message
            #expect(reason.contains("owners (Dee Deputy, Olu Owner)"), "the holders are named: \(reason)")
            let set = try await org.send(.post, "/records/targets", as: org.olu.token, json: target)
            #expect(set.status == .created, "\(String(buffer: set.body))")
            let decision = try #require(try set.decode(RecordResponse.self).fields.text("decision"))
            let log = try await org.send(.get, "/decisions?type=target.change", as: org.rita.token).decode([DecisionEntry].self)
            #expect(log.map(\.title) == ["MQLs target for 2026-07 set to 100"] && "decisions/\(log[0].id.lowercasedText)" == decision)

            #expect(try await org.send(.post, "/records/targets", as: org.olu.token, json: target).refusal.code == "duplicate_target")
            var weekly = target
            weekly["period"] = .text("2026-W27")
            #expect(try await org.send(.post, "/records/targets", as: org.olu.token, json: weekly).refusal.message.contains("finer than that"))
            var quarterly = target
            quarterly["period"] = .text("2026-Q3")
            quarterly["variance"] = .double(5)
            quarterly["variance_kind"] = .null
            #expect(try await org.send(.post, "/records/targets", as: org.olu.token, json: quarterly).refusal.message.contains("needs variance_kind"))
            quarterly["variance"] = .null
            quarterly["phasing"] = .text(#"{"values": [100, 100, 90]}"#)
            let phased = try await org.send(.post, "/records/targets", as: org.olu.token, json: quarterly)
            #expect(try phased.refusal.message == "phasing: the months add up to 290, not the target 100")
        }
    }

    @Test func aCorrectionSupersedesAndEachNumberReadsAsDefinedAtTheTime() async throws {
        let clock = SettableClock()
        try await TestServer.with(adjust: { $0.clock = clock.now }) { server in
            let org = try await GovernedOrg.make(server)
            let mql = try await org.define("MQL")
            let first = try await org.propose("MQL", as: org.rita.token, ProposalRequest(body: "Scored 60+.", rationale: "First."))
            try await org.consentAll(first)
            #expect(try await org.act(.approve, first, as: org.olu.token).status == .ok)
            let kpi = try await org.send(.post, "/records/kpis", as: org.rita.token, json: Self.kpi("mqls", definition: mql)).decode(RecordResponse.self)
            let kpiRef = FieldValue.text("kpis/\(kpi.id.lowercasedText)")
            let july: RecordFields = ["kpi": kpiRef, "period": .text("2026-07"), "value": .double(80), "source": .text("HubSpot")]
            let recorded = try await org.send(.post, "/records/measurements", as: org.mark.token, json: july).decode(RecordResponse.self)
            #expect(recorded.fields["definition_version"] == .text("definition_versions/\(first.id.lowercasedText)"))
            let beforeCorrection = clock.now()

            clock.advance(by: 86_400)
            let second = try await org.propose("MQL", as: org.rita.token, ProposalRequest(body: "Scored 70+.", rationale: "Stricter.", breaking: true))
            try await org.consentAll(second)
            #expect(try await org.act(.approve, second, as: org.olu.token).status == .ok)
            var correction = july
            correction["value"] = .double(72)
            correction["supersedes"] = .text("measurements/\(recorded.id.lowercasedText)")
            let corrected = try await org.send(.post, "/records/measurements", as: org.mark.token, json: correction).decode(RecordResponse.self)
            #expect(corrected.fields["definition_version"] == .text("definition_versions/\(second.id.lowercasedText)"), "as defined at the time of the correction")

            let edited = try await org.send(.patch, "/records/measurements/\(recorded.id.lowercasedText)", as: org.mark.token, json: ["value": 90])
            #expect(try edited.refusal.code == "append_only")
            var wrongPeriod = correction
            wrongPeriod["period"] = .text("2026-08")
            #expect(try await org.send(.post, "/records/measurements", as: org.mark.token, json: wrongPeriod).refusal.message.contains("same KPI, period and segment"))
            var quarterly = july
            quarterly["period"] = .text("2026-Q3")
            #expect(try await org.send(.post, "/records/measurements", as: org.mark.token, json: quarterly).refusal.message.contains("measured by month"))

            let rows = try await org.send(.get, "/records/measurements?limit=100", as: org.sam.token).decode(RecordPage.self).records
            let records = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.fields) })
            let now = Actuals(records: records)
            #expect(now.value(kpi.id, "2026-07")?.value == 72 && now.history(kpi.id, "2026-07").map(\.value) == [80, 72], "both stay; the correction counts")
            #expect(Actuals(records: records, asOf: beforeCorrection).value(kpi.id, "2026-07")?.value == 80, "what the board saw before the correction")

            let redirected = try await org.send(.patch, "/records/kpis/\(kpi.id.lowercasedText)", as: org.rita.token, json: ["direction": "lower_is_better"])
            #expect(try redirected.refusal.code == "no_right", "what a KPI means changes under definition.change for metrics")
            #expect(try await org.send(.patch, "/records/kpis/\(kpi.id.lowercasedText)", as: org.rita.token, json: ["name": "Marketing qualified leads"]).status == .ok)
            #expect(try await org.send(.delete, "/records/kpis/\(kpi.id.lowercasedText)", as: org.olu.token).refusal.code == "governed")
        }
    }
}
