import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("json and date values through push, pull and snapshot", .timeLimit(.minutes(5)))
struct FieldTypeSyncTests {
    static let targets = CollectionSchema(
        name: "phased_plans",
        fields: [
            FieldSchema("kpi", .text, .lww, required: true), FieldSchema("period_start", .date, .lww),
            FieldSchema("phasing", .json, .lww, maxLength: 4_000),
        ]
    )

    @Test func valuesRoundTripInTheirCanonicalSpellingAndDigestAlikeEverywhere() async throws {
        let catalog = try Catalog.withoutDirectory.adding(Self.targets)
        try await LiveServer.with(catalog: catalog) { live in
            let (token, _) = try await live.signup("dana@example.com")
            let org = try await live.createOrganization("acme", token: token)
            let a = try TestReplica(live, token: token, org: org.id, catalog: catalog)
            let b = try TestReplica(live, token: token, org: org.id, catalog: catalog)
            defer { a.remove(); b.remove() }
            #expect(try await b.sync().verified, "b starts empty, so what follows reaches it by pull")

            let phasing = #"{ "weights": [0.3, 0.3, 0.4], "method": "weighted" }"#
            let canonical = #"{"method":"weighted","weights":[0.3,0.3,0.4]}"#
            let id = try await a.replica.create("phased_plans", ["kpi": .text("mql"), "period_start": .text("2026-07-01"), "phasing": .text(phasing)]).id
            #expect(try a.replica.record("phased_plans", id)?["phasing"] == .text(canonical), "a local write keeps the canonical spelling")
            #expect(try await a.sync().verified)
            let pulled = try await b.sync()
            #expect(pulled.pulled == 1 && pulled.verified)
            let c = try TestReplica(live, token: token, org: org.id, catalog: catalog)
            defer { c.remove() }
            let snapshot = try await c.sync()
            #expect(snapshot.snapshotRecords == 1 && snapshot.verified, "a snapshot's jsonb text digests as the pushed text did")
            for replica in [a.replica, b.replica, c.replica] {
                let record = try replica.record("phased_plans", id)
                #expect(record?["phasing"] == .text(canonical), "\(replica === a.replica ? "a" : replica === b.replica ? "b" : "c")")
                #expect(record?["period_start"] == .text("2026-07-01"))
            }

            try await b.replica.update("phased_plans", id, ["phasing": .text(#"{"method": "even"}"#), "period_start": .text("2026-10-01")])
            #expect(try await b.sync().verified)
            #expect(try await a.sync().verified)
            #expect(try a.replica.record("phased_plans", id)?["phasing"] == .text(#"{"method":"even"}"#))
            #expect(try a.replica.record("phased_plans", id)?["period_start"] == .text("2026-10-01"))
            await #expect(throws: ClientError.self, "a date that is no day is refused at once") {
                try await a.replica.create("phased_plans", ["kpi": .text("sql"), "period_start": .text("2026-02-30")])
            }
        }
    }
}
