import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("REST over every collection")
struct RecordRESTTests {
    static func catalog() throws -> Catalog {
        try BudgetRules.catalog().adding(FieldTypeSyncTests.targets)
    }

    static func ifMatch(_ seq: Int64) -> HTTPFields { [.ifMatch: "\"\(seq)\""] }

    @Test func everyVerbOnNotesWithFiltersPagingVersionsAndHistory() async throws {
        try await TestServer.with(catalog: try Self.catalog()) { server in
            let (token, owner) = try await server.signup("fran@example.com", name: "Fran")
            _ = try await server.createOrganization("Acme", slug: "acme", token: token)
            let notes = "/v1/orgs/acme/records/notes"

            let created = try await server.send(.post, notes, token: token, json: ["title": FieldValue.text("Q3 dip"), "pinned": .bool(true)])
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let first = try created.decode(RecordResponse.self)
            #expect(created.headers[.eTag] == "\"\(first.seq)\"")
            #expect(first.fields["title"] == .text("Q3 dip") && first.fields["body"] == .null)
            var ids = [first.id]
            for index in 1...4 {
                let response = try await server.send(.post, notes, token: token, json: ["title": FieldValue.text("note \(index)"), "pinned": .bool(false)])
                ids.append(try response.decode(RecordResponse.self).id)
            }

            let pinned = try await server.send(.get, notes + "?pinned=true", token: token).decode(RecordPage.self)
            #expect(pinned.records.map(\.id) == [first.id] && pinned.nextCursor == nil)
            var paged: [UUID] = []
            var cursor: UUID?
            repeat {
                let page = try await server.send(.get, notes + "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token).decode(RecordPage.self)
                #expect(page.records.count <= 2)
                paged += page.records.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(paged == ids.sorted { $0.lowercasedText < $1.lowercasedText }, "every note once, in id order")

            let one = "\(notes)/\(first.id)"
            let read = try await server.send(.get, one, token: token)
            #expect(read.status == .ok && read.headers[.eTag] == "\"\(first.seq)\"")
            let stale = try await server.send(.patch, one, token: token, json: ["title": FieldValue.text("stale")], headers: Self.ifMatch(first.seq - 1))
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.error.code == "changed_since")
            #expect(try stale.error.details["seq"] == String(first.seq))
            let patched = try await server.send(.patch, one, token: token, json: ["title": FieldValue.text("Q3 dip: trade show")], headers: Self.ifMatch(first.seq))
            #expect(patched.status == .ok, "\(String(buffer: patched.body))")
            let changed = try patched.decode(RecordResponse.self)
            #expect(changed.seq > first.seq && changed.fields["title"] == .text("Q3 dip: trade show") && changed.fields["pinned"] == .bool(true))
            let halfQuoted = try await server.send(.patch, one, token: token, json: ["pinned": FieldValue.bool(false)], headers: [.ifMatch: "\"\(changed.seq)"])
            #expect(try halfQuoted.error.code == "invalid_if_match")

            #expect(try await server.send(.delete, one, token: token, headers: Self.ifMatch(first.seq)).status == .preconditionFailed)
            #expect(try await server.send(.delete, one, token: token, headers: [.ifMatch: "\(changed.seq)"]).status == .noContent, "a bare version number is taken as the ETag")
            #expect(try await server.send(.get, one, token: token).decode(RecordResponse.self).deleted)
            let live = try await server.send(.get, notes, token: token).decode(RecordPage.self)
            #expect(!live.records.map(\.id).contains(first.id))
            let all = try await server.send(.get, notes + "?include_deleted=true", token: token).decode(RecordPage.self)
            #expect(all.records.filter(\.deleted).map(\.id) == [first.id])

            let history = try await server.send(.get, one + "/history", token: token).decode(RecordHistory.self)
            #expect(history.complete && history.changes.map(\.operation) == [.create, .update, .delete])
            #expect(history.changes.allSatisfy { $0.actor == owner.id && $0.actorName == "Fran" })
            #expect(history.changes[1].fields == ["title": .text("Q3 dip: trade show")])
            #expect(history.changes[1].previous == ["title": .text("Q3 dip")])

            let pulled = try await server.send(.get, "/v1/orgs/acme/sync/pull?since=0", token: token).decode(PullResponse.self)
            #expect(pulled.changes.filter { $0.collection == "notes" }.count == 7, "REST writes are changes every replica pulls")
        }
    }

    @Test func refusalsCarryTheRulesCodeAndReason() async throws {
        try await TestServer.with(catalog: try Self.catalog()) { server in
            let (token, _) = try await server.signup("fran@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: token)
            let budget = try await server.send(.post, "/v1/orgs/acme/records/budgets", token: token, json: ["team": FieldValue.text("Finance"), "amount": .int(10)])
            #expect(budget.status == .unprocessableContent)
            #expect(try budget.error.code == "not_team_member")
            #expect(try budget.error.message == "Only the Finance team changes its budget; ask one of its members.")
            #expect(try await server.send(.get, "/v1/orgs/acme/records/budgets", token: token).decode(RecordPage.self).records.isEmpty)

            let (viewerToken, _) = try await server.signup("vic@example.com")
            let added = try await server.addMember(AddMemberRequest(email: "vic@example.com", role: .viewer), to: "acme", token: token)
            #expect(added.status == .ok)
            let viewer = try await server.send(.post, "/v1/orgs/acme/records/notes", token: viewerToken, json: ["title": FieldValue.text("mine")])
            #expect(viewer.status == .forbidden)
            #expect(try viewer.error.message.contains("editor role"))
            #expect(try await server.send(.get, "/v1/orgs/acme/records/notes", token: viewerToken).status == .ok, "viewers read")

            let invalid = try await server.send(.post, "/v1/orgs/acme/records/notes", token: token, json: ["body": FieldValue.text("no title")])
            #expect(invalid.status == .unprocessableContent)
            #expect(try invalid.error.code == "invalid")
            let resolve = try await server.send(.post, "/v1/orgs/acme/records/conflicts", token: token, json: ["status": FieldValue.text("open")])
            #expect(try resolve.error.code == "server_managed", "REST is a member's own change, not the server's")
            #expect(try await server.send(.get, "/v1/orgs/acme/records/notes?colour=red", token: token).status == .unprocessableContent)
            #expect(try await server.send(.get, "/v1/orgs/acme/records/experiments", token: token).status == .notFound)
            #expect(try await server.send(.patch, "/v1/orgs/acme/records/notes/\(UUID())", token: token, json: ["title": FieldValue.text("x")]).status == .notFound)
        }
    }

    @Test func jsonAndDateValuesRoundTripInTheirCanonicalSpelling() async throws {
        try await TestServer.with(catalog: try Self.catalog()) { server in
            let (token, _) = try await server.signup("fran@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: token)
            let body: RecordFields = ["kpi": .text("mql"), "period_start": .text("2026-07-01"), "phasing": .text(#"{ "method": "even", "by": [1, 2] }"#)]
            let created = try await server.send(.post, "/v1/orgs/acme/records/phased_plans", token: token, json: body).decode(RecordResponse.self)
            let read = try await server.send(.get, "/v1/orgs/acme/records/phased_plans/\(created.id)", token: token).decode(RecordResponse.self)
            #expect(read.fields["phasing"] == .text(#"{"by":[1,2],"method":"even"}"#))
            #expect(read.fields["period_start"] == .text("2026-07-01"))
            let filtered = try await server.send(.get, "/v1/orgs/acme/records/phased_plans?period_start=2026-07-01", token: token).decode(RecordPage.self)
            #expect(filtered.records.map(\.id) == [created.id])
            let badDate = try await server.send(.post, "/v1/orgs/acme/records/phased_plans", token: token, json: ["kpi": FieldValue.text("x"), "period_start": .text("2026-02-30")])
            #expect(badDate.status == .unprocessableContent)
        }
    }
}
