import NIOCore
import Hummingbird
import PostgresNIO
import HummingbirdTesting
import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Testing

@Suite("The 404 wall around each organization")
struct TenantWallTests {
    /// A well-formed body for each org route that takes one, so the refusal cannot come from validation.
    static let bodies: [String: any Encodable & Sendable] = [
        "POST /v1/orgs/{org}/invitations": AddMemberRequest(email: "outsider@example.com", role: .owner),
        "PATCH /v1/orgs/{org}/members/{user}": UpdateMemberRequest(role: .viewer),
        "POST /v1/orgs/{org}/teams": CreateTeamRequest(name: "Intruders"),
        "POST /v1/orgs/{org}/records/{collection}": ["title": FieldValue.text("planted")],
        "PATCH /v1/orgs/{org}/records/{collection}/{id}": ["title": FieldValue.text("overwritten")],
        "POST /v1/orgs/{org}/definitions/{definition}/proposals": ProposalRequest(body: "planted", rationale: "planted"),
        "POST /v1/orgs/{org}/sync/push": PushRequest(clientID: UUID(), mutations: [
            Mutation(mutationID: 1, collection: "notes", recordID: UUID(), operation: .create, fields: ["title": .text("in")],
                     baseSeq: 0, timestamp: HLCTimestamp(millis: 1, node: "intruder"))
        ]),
    ]

    @Test func aNonMemberGetsNotFoundOnEveryOrganizationRouteAndChangesNothing() async throws {
        try await TestServer.with { server in
            let (owner, ownerUser) = try await server.signup("owner@example.com")
            let (outsider, _) = try await server.signup("outsider@example.com")
            let org = try await server.createOrganization("Acme", slug: "acme", token: owner)
            _ = try await server.createOrganization("Outsider's own", slug: "elsewhere", token: outsider)
            // Real ids of Acme's things, so every parameter of every route names something that exists.
            let note = try await server.send(.post, "/v1/orgs/acme/records/notes", token: owner, json: ["title": FieldValue.text("Acme's")])
                .decode(RecordResponse.self)
            let invitation = try await server.send(.post, "/v1/orgs/acme/invitations", token: owner, json: AddMemberRequest(email: "x@example.com", role: .viewer))
                .decode(Invitation.self)
            _ = try await server.send(.post, "/v1/orgs/acme/records/definitions", token: owner, json: ["term": FieldValue.text("MQL"), "category": .text("glossary")])
            let proposal = try await server.send(.post, "/v1/orgs/acme/definitions/MQL/proposals", token: owner, json: ProposalRequest(body: "Scored.", rationale: "First."))
                .decode(VersionView.self)
            let parameters = [
                "{user}": ownerUser.id.uuidString, "{collection}": "notes", "{id}": note.id.uuidString, "{invitation}": invitation.id.uuidString,
                "{definition}": "MQL", "{proposal}": proposal.id.uuidString,
                "{dashboard}": try await Self.dashboard(in: "acme", server: server, token: owner).uuidString,
                "{review}": try await server.send(.post, "/v1/orgs/acme/reviews", token: owner, json: ReviewRequest(cadence: .monthly)).decode(ReviewView.self).id.uuidString,
                "{item}": UUID().uuidString,
            ]
            let before = try await snapshot(server)
            #expect(before["notes"]?.count == 1 && before["invitations"]?.count == 1 && before["changes"]?.isEmpty == false, "the dump sees Acme's rows")

            let routes = server.server.api.buildRouter().routes.filter { $0.path.description.hasPrefix("/v1") && $0.path.description.contains("{org}") }
            #expect(routes.count >= 7, "every org route is covered: \(routes.map(\.path.description))")
            let missing = try await server.send(.get, "/v1/orgs/no-such-org", token: outsider)
            for route in routes {
                let path = route.path.description
                let key = "\(route.method) \(path)"
                for reference in ["acme", org.id.uuidString] {
                    let uri = parameters.reduce(path.replacingOccurrences(of: "{org}", with: reference)) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
                    let response = try await server.send(route.method, uri, token: outsider, json: Self.bodies[key] ?? "{}")
                    #expect(response.status == .notFound, "\(key) as a non-member answered \(response.status)")
                    #expect(try response.error.message == missing.error.message.replacingOccurrences(of: "no-such-org", with: reference),
                            "a non-member cannot tell an existing organization from a missing one")
                }
            }
            #expect(try await snapshot(server) == before)
        }
    }

    @Test func aNonMemberGetsTheSameNotFoundPageOnEveryOrganizationPage() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            _ = try await server.signup("outsider@example.com")
            let org = try await server.createOrganization("Acme", slug: "acme", token: owner)
            _ = try await server.send(.post, "/v1/orgs/acme/records/definitions", token: owner, json: ["term": FieldValue.text("MQL"), "category": .text("glossary")])
            let proposal = try await server.send(.post, "/v1/orgs/acme/definitions/MQL/proposals", token: owner, json: ProposalRequest(body: "Scored.", rationale: "First."))
                .decode(VersionView.self)
            let review = try await server.send(.post, "/v1/orgs/acme/reviews", token: owner, json: ReviewRequest(cadence: .monthly)).decode(ReviewView.self)
            let decision = try await server.send(.get, "/v1/orgs/acme/decisions", token: owner).decode([DecisionEntry].self).first?.id ?? UUID()
            let parameters = [
                "{definition}": "MQL", "{proposal}": proposal.id.uuidString, "{review}": review.id.uuidString, "{item}": UUID().uuidString,
                "{dashboard}": try await Self.dashboard(in: "acme", server: server, token: owner).uuidString, "{kpi}": "mqls",
                "{decision}": decision.uuidString,
            ]
            let (browser, _) = try await WebSessionTests.signIn(server, "outsider@example.com")
            let before = try await snapshot(server)
            let routes = server.server.api.buildRouter().routes.filter { $0.path.description.hasPrefix("/app/orgs/{org}") }
            #expect(routes.count >= 15, "every page is covered: \(routes.map(\.path.description))")
            var headers: HTTPFields = [.cookie: browser.cookie, .contentType: "application/x-www-form-urlencoded"]
            headers[.accept] = "text/html"
            for route in routes {
                for reference in ["acme", org.id.uuidString, "no-such-org"] {
                    let path = route.path.description.replacingOccurrences(of: "{org}", with: reference)
                    let uri = parameters.reduce(path) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
                    let body = route.method == .post ? WebSessionTests.form(["_csrf": browser.csrf, "comment": "planted", "cadence": "monthly"]) : nil
                    let response = try await server.client.execute(uri: uri, method: route.method, headers: headers, body: body)
                    #expect(response.status == .notFound, "\(route.method) \(route.path) as a non-member answered \(response.status)")
                    #expect(String(buffer: response.body).contains("Organization &#39;\(reference)&#39; was not found, or you are not a member of it."))
                }
            }
            #expect(try await snapshot(server) == before)
        }
    }

    @Test func withoutATokenEveryOrganizationRouteAnswers401() async throws {
        try await TestServer.with { server in
            let (owner, _) = try await server.signup("owner@example.com")
            _ = try await server.createOrganization("Acme", slug: "acme", token: owner)
            for route in server.server.api.buildRouter().routes where route.path.description.hasPrefix("/v1/orgs") {
                let uri = route.path.description.replacingOccurrences(of: "{org}", with: "acme").replacingOccurrences(of: "{user}", with: "x")
                let response = try await server.send(route.method, uri, json: "{}")
                #expect(response.status == .unauthorized, "\(route.method) \(route.path)")
            }
        }
    }

    /// A KPI and a dashboard over it; the dashboard's id.
    static func dashboard(in org: String, server: TestServer, token: String) async throws -> UUID {
        let kpi: RecordFields = [
            "key": .text("mqls"), "name": .text("MQLs"), "owner": .text("team:Marketing"), "aggregation": .text("sum"), "unit": .text("count"),
            "kind": .text("leading"), "tier": .text("primary"), "direction": .text("higher_is_better"), "grain": .text("month"),
        ]
        #expect(try await server.send(.post, "/v1/orgs/\(org)/records/kpis", token: token, json: kpi).status == .created)
        let tiles = FieldValue.text(#"[{"kind": "number", "kpi": "mqls"}]"#)
        return try await server.send(.post, "/v1/orgs/\(org)/records/dashboards", token: token, json: ["name": .text("Board"), "tiles": tiles])
            .decode(RecordResponse.self).id
    }

    /// Every tenant row, as text, to show that refused requests changed nothing.
    /// The whole database but the tokens, whose last use every authenticated request may stamp.
    private func snapshot(_ server: TestServer) async throws -> [String: [String]] {
        try await server.database.dump(excluding: ["tokens"])
    }
}
