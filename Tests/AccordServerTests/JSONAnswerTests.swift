import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("JSON answers: one spelling of ids, one order of keys")
struct JSONAnswerTests {
    /// A UUID in any case, as it may appear anywhere in an answer.
    static let uuidPattern = try! NSRegularExpression(pattern: "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

    static func uuids(in text: String) -> [String] {
        uuidPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    /// One request for each documented operation, ordered so that nothing a later request needs is gone; every
    /// id the caller supplies, in a path or a body, is spelled in upper case.
    struct Call {
        var operation: String
        var uri: String
        var body: String?
        var token: String
    }

    @Test func everyAnswerSpellsIdsInLowerCaseAndUpperCaseIdsAreAccepted() async throws {
        try await TestServer.with { server in
            let (owner, ownerUser) = try await server.signup("owner@example.com", name: "Owner")
            let (memberToken, member) = try await server.signup("member@example.com", name: "Member")
            let (declining, _) = try await server.signup("declining@example.com", name: "Declining")
            let (leaving, _) = try await server.signup("leaving@example.com", name: "Leaving")
            let org = try await server.createOrganization("Acme", slug: "acme", token: owner)
            let team = try await server.send(.post, "/v1/orgs/acme/teams", token: owner, json: CreateTeamRequest(name: "Partnerships")).decode(Team.self)
            let issued = try await server.send(.post, "/v1/tokens", token: owner, json: CreateTokenRequest(name: "to revoke")).decode(IssuedToken.self)
            let (orgID, userID, teamID) = (org.id.uuidString, member.id.uuidString, team.id.uuidString)
            func invite(_ email: String) async throws -> String {
                try await server.send(.post, "/v1/orgs/acme/invitations", token: owner, json: AddMemberRequest(email: email, role: .viewer))
                    .decode(Invitation.self).id.uuidString
            }
            // Made before the walk, so the walk can name them; inviting the member again keeps their invitation's id.
            let (joining, declined, withdrawn) = (try await invite("member@example.com"), try await invite("declining@example.com"), try await invite("gone@example.com"))
            #expect(orgID != orgID.lowercased(), "the ids below are sent in upper case")
            // A glossary the owner both agrees to and decides, and three proposals for the workflow to act on.
            let right = DecisionRight(type: "definition.change", scope: "glossary", recommend: [.role(.editor)], agree: [.role(.owner)], decide: .role(.owner))
            #expect(try await server.send(.post, "/v1/orgs/acme/records/decision_rights", token: owner, json: right.fields).status == .created)
            let definitionID = UUID().uuidString, ownerID = ownerUser.id.uuidString
            let term: RecordFields = ["id": .text(definitionID), "term": .text("MQL"), "category": .text("glossary")]
            #expect(try await server.send(.post, "/v1/orgs/acme/records/definitions", token: owner, json: term).status == .created)
            func propose() async throws -> String {
                try await server.send(.post, "/v1/orgs/acme/definitions/MQL/proposals", token: owner, json: ProposalRequest(body: "Scored.", rationale: "First."))
                    .decode(VersionView.self).id.uuidString
            }
            let (approving, rejecting, withdrawing) = (try await propose(), try await propose(), try await propose())
            let definitions = "/v1/orgs/\(orgID)/definitions/\(definitionID)", proposals = "/v1/orgs/\(orgID)/proposals/"
            let dashboardID = try await TenantWallTests.dashboard(in: "acme", server: server, token: owner)
            let priority: RecordFields = ["kind": .text("growth"), "name": .text("Grow"), "owner": .text("user:\(ownerUser.id.uuidString)")]
            #expect(try await server.send(.post, "/v1/orgs/acme/records/priorities", token: owner, json: priority).status == .created, "the board has an id to spell")
            let late: RecordFields = ["name": .text("Trade shows"), "owner": .text("team:Marketing"), "status": .text("active"), "stop_on": .text("2020-01-01")]
            #expect(try await server.send(.post, "/v1/orgs/acme/records/plays", token: owner, json: late).status == .created, "a play past its stop date: a review item")
            let review = try await server.send(.post, "/v1/orgs/acme/reviews", token: owner, json: ReviewRequest(cadence: .quarterly, period: "2026-Q2")).decode(ReviewView.self)
            let (reviewID, itemID) = (review.id.uuidString, try #require(review.items.first).id.uuidString)
            for other in review.items.dropFirst() {
                let decided = try await server.send(
                    .post, "/v1/orgs/acme/reviews/\(review.id.lowercasedText)/items/\(other.id.lowercasedText)/decide", token: owner,
                    json: ReviewDecisionRequest(outcome: .hold, rationale: "Not this quarter.")
                )
                #expect(decided.status == .ok, "so the walk's close finds every item decided: \(String(buffer: decided.body))")
            }

            let recordID = UUID().uuidString, clientID = UUID().uuidString, restID = UUID().uuidString
            let record = "/v1/orgs/\(orgID)/records/notes/\(restID)"
            let stamp = HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1_000), node: clientID).description
            let push = """
                {"clientID": "\(clientID)", "mutations": [{"mutationID": 1, "collection": "notes", "recordID": "\(recordID)",
                "operation": "create", "fields": {"title": "Upper", "subject": "notes/\(orgID)"}, "baseSeq": 0, "timestamp": "\(stamp)"}]}
                """
            let calls = [
                Call(operation: "GET /health", uri: "/health", token: owner),
                Call(operation: "GET /ready", uri: "/ready", token: owner),
                Call(operation: "GET /openapi.yaml", uri: "/openapi.yaml", token: owner),
                Call(operation: "POST /v1/auth/signup", uri: "/v1/auth/signup", body: #"{"email": "new@example.com", "password": "correct horse battery", "name": "New"}"#, token: owner),
                Call(operation: "POST /v1/auth/login", uri: "/v1/auth/login", body: #"{"email": "owner@example.com", "password": "correct horse battery"}"#, token: owner),
                Call(operation: "GET /v1/me", uri: "/v1/me", token: owner),
                Call(operation: "GET /v1/me/portfolio", uri: "/v1/me/portfolio", token: owner),
                Call(operation: "GET /v1/tokens", uri: "/v1/tokens", token: owner),
                Call(operation: "POST /v1/tokens", uri: "/v1/tokens", body: #"{"name": "laptop"}"#, token: owner),
                Call(operation: "POST /v1/orgs", uri: "/v1/orgs", body: #"{"name": "Globex"}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}", uri: "/v1/orgs/\(orgID)", token: owner),
                Call(operation: "POST /v1/orgs/{org}/invitations", uri: "/v1/orgs/\(orgID)/invitations",
                     body: #"{"email": "member@example.com", "role": "editor", "teams": ["\#(teamID)"]}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}/invitations", uri: "/v1/orgs/\(orgID)/invitations", token: owner),
                Call(operation: "DELETE /v1/orgs/{org}/invitations/{invitation}", uri: "/v1/orgs/\(orgID)/invitations/\(withdrawn)", token: owner),
                Call(operation: "GET /v1/me/invitations", uri: "/v1/me/invitations", token: memberToken),
                Call(operation: "POST /v1/me/invitations/{invitation}/accept", uri: "/v1/me/invitations/\(joining)/accept", token: memberToken),
                Call(operation: "POST /v1/me/invitations/{invitation}/decline", uri: "/v1/me/invitations/\(declined)/decline", token: declining),
                Call(operation: "GET /v1/orgs/{org}/members", uri: "/v1/orgs/\(orgID)/members", token: owner),
                Call(operation: "PATCH /v1/orgs/{org}/members/{user}", uri: "/v1/orgs/\(orgID)/members/\(userID)",
                     body: #"{"role": "admin", "teams": ["\#(teamID)"]}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}/teams", uri: "/v1/orgs/\(orgID)/teams", token: owner),
                Call(operation: "POST /v1/orgs/{org}/teams", uri: "/v1/orgs/\(orgID)/teams", body: #"{"name": "Field marketing"}"#, token: owner),
                Call(operation: "POST /v1/orgs/{org}/sync/push", uri: "/v1/orgs/\(orgID)/sync/push", body: push, token: owner),
                Call(operation: "GET /v1/orgs/{org}/sync/pull", uri: "/v1/orgs/\(orgID)/sync/pull?since=0", token: owner),
                Call(operation: "GET /v1/orgs/{org}/sync/snapshot", uri: "/v1/orgs/\(orgID)/sync/snapshot", token: owner),
                Call(operation: "POST /v1/orgs/{org}/records/{collection}", uri: "/v1/orgs/\(orgID)/records/notes",
                     body: #"{"id": "\#(restID)", "title": "Upper", "subject": "notes/\#(recordID)"}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}/records/{collection}", uri: "/v1/orgs/\(orgID)/records/notes?subject=notes/\(recordID)", token: owner),
                Call(operation: "GET /v1/orgs/{org}/records/{collection}/{id}", uri: record, token: owner),
                Call(operation: "PATCH /v1/orgs/{org}/records/{collection}/{id}", uri: record, body: #"{"pinned": true}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}/records/{collection}/{id}/history", uri: record + "/history", token: owner),
                Call(operation: "DELETE /v1/orgs/{org}/records/{collection}/{id}", uri: record, token: owner),
                Call(operation: "GET /v1/orgs/{org}/rights", uri: "/v1/orgs/\(orgID)/rights", token: owner),
                Call(operation: "GET /v1/orgs/{org}/rights/check", uri: "/v1/orgs/\(orgID)/rights/check?type=definition.change&scope=glossary&user=\(ownerID)", token: owner),
                Call(operation: "GET /v1/orgs/{org}/definitions", uri: "/v1/orgs/\(orgID)/definitions", token: owner),
                Call(operation: "POST /v1/orgs/{org}/definitions/{definition}/proposals", uri: definitions + "/proposals", body: #"{"rationale": "Later.", "status": "draft"}"#, token: owner),
                Call(operation: "POST /v1/orgs/{org}/proposals/{proposal}/comment", uri: proposals + approving + "/comment", body: #"{"comment": "Reading it"}"#, token: owner),
                Call(operation: "POST /v1/orgs/{org}/proposals/{proposal}/object", uri: proposals + approving + "/object", body: #"{"comment": "Too loose"}"#, token: owner),
                Call(operation: "POST /v1/orgs/{org}/proposals/{proposal}/consent", uri: proposals + approving + "/consent", body: "{}", token: owner),
                Call(operation: "POST /v1/orgs/{org}/proposals/{proposal}/approve", uri: proposals + approving + "/approve", body: "{}", token: owner),
                Call(operation: "POST /v1/orgs/{org}/proposals/{proposal}/reject", uri: proposals + rejecting + "/reject", body: #"{"comment": "No."}"#, token: owner),
                Call(operation: "POST /v1/orgs/{org}/proposals/{proposal}/withdraw", uri: proposals + withdrawing + "/withdraw", body: "{}", token: owner),
                Call(operation: "GET /v1/orgs/{org}/definitions/{definition}", uri: definitions + "?as_of=2100-01-01", token: owner),
                Call(operation: "GET /v1/orgs/{org}/definitions/{definition}/versions", uri: definitions + "/versions", token: owner),
                Call(operation: "GET /v1/orgs/{org}/definitions/{definition}/diff", uri: definitions + "/diff?from=1.0", token: owner),
                Call(operation: "GET /v1/orgs/{org}/definitions/{definition}/impact", uri: definitions + "/impact", token: owner),
                Call(operation: "GET /v1/orgs/{org}/decisions", uri: "/v1/orgs/\(orgID)/decisions?decider=\(ownerID)", token: owner),
                Call(operation: "GET /v1/orgs/{org}/inbox", uri: "/v1/orgs/\(orgID)/inbox", token: owner),
                Call(operation: "GET /v1/orgs/{org}/dashboards/{dashboard}/view", uri: "/v1/orgs/\(orgID)/dashboards/\(dashboardID.uuidString)/view?period=2026-Q3", token: owner),
                Call(operation: "POST /v1/orgs/{org}/measurements/import", uri: "/v1/orgs/\(orgID)/measurements/import?format=csv", body: "kpi,period,value\nmqls,2026-07,12\n", token: owner),
                Call(operation: "GET /v1/orgs/{org}/strategy", uri: "/v1/orgs/\(orgID)/strategy?as_of=2026-08-01", token: owner),
                Call(operation: "GET /v1/orgs/{org}/alignment", uri: "/v1/orgs/\(orgID)/alignment", token: owner),
                Call(operation: "GET /v1/orgs/{org}/packs/drift", uri: "/v1/orgs/\(orgID)/packs/drift", token: owner),
                Call(operation: "POST /v1/orgs/{org}/reviews", uri: "/v1/orgs/\(orgID)/reviews", body: #"{"cadence": "monthly", "period": "2026-07"}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}/reviews", uri: "/v1/orgs/\(orgID)/reviews", token: owner),
                Call(operation: "GET /v1/orgs/{org}/reviews/{review}", uri: "/v1/orgs/\(orgID)/reviews/\(reviewID)", token: owner),
                Call(operation: "POST /v1/orgs/{org}/reviews/{review}/items/{item}/decide", uri: "/v1/orgs/\(orgID)/reviews/\(reviewID)/items/\(itemID)/decide",
                     body: #"{"outcome": "hold", "rationale": "Keep it to its next checkpoint."}"#, token: owner),
                Call(operation: "POST /v1/orgs/{org}/reviews/{review}/close", uri: "/v1/orgs/\(orgID)/reviews/\(reviewID)/close", body: #"{"summary": "Held."}"#, token: owner),
                Call(operation: "GET /v1/orgs/{org}/audit", uri: "/v1/orgs/\(orgID)/audit?record=\(definitionID)", token: owner),
                Call(operation: "DELETE /v1/orgs/{org}/members/{user}", uri: "/v1/orgs/\(orgID)/members/\(userID)", token: owner),
                Call(operation: "DELETE /v1/tokens/{id}", uri: "/v1/tokens/\(issued.info.id.uuidString)", token: owner),
                Call(operation: "POST /v1/auth/logout", uri: "/v1/auth/logout", token: leaving),
            ]
            let documented = OpenAPITests.documentedOperations(String(buffer: try await server.send(.get, "/openapi.yaml").body))
            // The realtime stream stays open and carries only change numbers, never an id.
            let walked = Set(calls.map(\.operation) + ["GET /v1/orgs/{org}/sync/events"])
            #expect(walked == documented, "every documented operation is walked: missing \(documented.subtracting(walked).sorted())")

            var seen = 0
            for call in calls {
                let method = HTTPRequest.Method(rawValue: String(call.operation.prefix { $0 != " " }))!
                let response = try await server.send(method, call.uri, token: call.token, json: call.body)
                let text = String(buffer: response.body)
                #expect((200..<300).contains(response.status.code), "\(call.operation) with upper-case ids: \(response.status) \(text)")
                for id in Self.uuids(in: text) {
                    seen += 1
                    #expect(id == id.lowercased(), "\(call.operation) answered \(id)")
                }
            }
            #expect(seen > 20, "the answers carry ids to check")

            let pushed = try await server.send(.get, "/v1/orgs/acme/sync/snapshot", token: owner)
            #expect(String(buffer: pushed.body).contains(recordID.lowercased()), "the upper-case record id was stored as the one id")
            let subject = String(buffer: pushed.body).contains("notes/\(orgID.lowercased())")
            #expect(subject, "a reference sent in upper case is stored in lower case")
        }
    }

    @Test func theSameRequestTwiceGivesTheSameBytes() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com", name: "Owner")
            _ = try await server.signup("member@example.com", name: "Member")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            for name in ["Partnerships", "Field marketing", "Channel"] {
                try await server.send(.post, "/v1/orgs/acme/teams", token: owner, json: CreateTeamRequest(name: name))
            }
            try await server.addMember(AddMemberRequest(email: "member@example.com", role: .editor, teams: ["RevOps", "Sales"]), to: "acme", token: owner)
            for uri in ["/v1/me", "/v1/orgs/acme", "/v1/orgs/acme/members", "/v1/orgs/acme/teams", "/v1/orgs/nowhere"] {
                let first = try await server.send(.get, uri, token: owner)
                let second = try await server.send(.get, uri, token: owner)
                #expect(first.body == second.body, "\(uri): \(String(buffer: first.body)) then \(String(buffer: second.body))")
                let parsed = try JSONSerialization.jsonObject(with: Data(first.body.readableBytesView))
                let sorted = try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .withoutEscapingSlashes])
                #expect(Data(first.body.readableBytesView) == sorted, "\(uri) writes its keys in sorted order")
            }
        }
    }
}
