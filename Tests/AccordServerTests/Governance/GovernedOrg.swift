import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// An organization with the people a definition change involves: Olu the owner who decides, Dee the owner
/// it escalates to, Rita in RevOps who proposes, Mark in Marketing and Sam in Sales who must agree, and Vic,
/// a viewer who is asked for input. The right for lifecycle stages says so.
struct GovernedOrg {
    let server: TestServer
    let olu: (token: String, id: UUID)
    let dee: (token: String, id: UUID)
    let rita: (token: String, id: UUID)
    let mark: (token: String, id: UUID)
    let sam: (token: String, id: UUID)

    static let org = "/v1/orgs/acme"
    static let escalationDays = 3

    static func make(_ server: TestServer) async throws -> GovernedOrg {
        let (oluToken, olu) = try await server.signup("olu@example.com", name: "Olu Owner")
        _ = try await server.createOrganization("Acme", slug: "acme", token: oluToken)
        func join(_ email: String, _ name: String, _ role: MemberRole, _ team: String?) async throws -> (String, UUID) {
            let (token, user) = try await server.signup(email, name: name)
            let joined = try await server.addMember(AddMemberRequest(email: email, role: role, teams: team.map { [$0] }), to: "acme", token: oluToken)
            #expect(joined.status == .ok, "\(email) joins: \(String(buffer: joined.body))")
            return (token, user.id)
        }
        let dee = try await join("dee@example.com", "Dee Deputy", .owner, nil)
        let rita = try await join("rita@example.com", "Rita RevOps", .editor, "RevOps")
        let mark = try await join("mark@example.com", "Mark Marketing", .editor, "Marketing")
        let sam = try await join("sam@example.com", "Sam Sales", .editor, "Sales")
        let right = DecisionRight(
            type: "definition.change", scope: "lifecycle_stage", recommend: [.team("RevOps"), .role(.owner)],
            agree: [.team("Marketing"), .team("Sales")], input: [.role(.viewer)], decide: .user(olu.id), inform: [.everyone],
            escalateAfterDays: escalationDays, escalateTo: .user(dee.1), separateDuties: true
        )
        let created = try await server.send(.post, "\(org)/records/decision_rights", token: oluToken, json: right.fields)
        #expect(created.status == .created, "\(String(buffer: created.body))")
        return GovernedOrg(server: server, olu: (oluToken, olu.id), dee: dee, rita: rita, mark: mark, sam: sam)
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, as token: String, json: (any Encodable)? = nil) async throws -> TestResponse {
        try await server.send(method, Self.org + path, token: token, json: json ?? (method == .post ? [String: String]() : nil))
    }

    /// Adds the definition `term` as Rita, and returns its id.
    func define(_ term: String, category: String = "lifecycle_stage") async throws -> UUID {
        let created = try await send(.post, "/records/definitions", as: rita.token, json: ["term": term, "category": category])
        #expect(created.status == .created, "\(String(buffer: created.body))")
        return try created.decode(RecordResponse.self).id
    }

    func propose(_ term: String, as token: String, _ request: ProposalRequest) async throws -> VersionView {
        let proposed = try await send(.post, "/definitions/\(term)/proposals", as: token, json: request)
        #expect(proposed.status == .created, "\(String(buffer: proposed.body))")
        return try proposed.decode(VersionView.self)
    }

    /// A workflow step on a proposal: the response, refused or not.
    func act(_ action: ProposalAction, _ proposal: VersionView, as token: String, comment: String? = nil) async throws -> TestResponse {
        try await send(.post, "/proposals/\(proposal.id.lowercasedText)/\(action.rawValue)", as: token, json: ProposalActionRequest(comment: comment))
    }

    /// Both agree holders consent.
    func consentAll(_ proposal: VersionView) async throws {
        for token in [mark.token, sam.token] {
            let consented = try await act(.consent, proposal, as: token)
            #expect(consented.status == .ok, "\(String(buffer: consented.body))")
        }
    }
}

extension TestResponse {
    /// The refusal's code and message, for a response that should be one.
    var refusal: (code: String, message: String) {
        get throws {
            let payload = try error
            return (payload.code, payload.message)
        }
    }
}
