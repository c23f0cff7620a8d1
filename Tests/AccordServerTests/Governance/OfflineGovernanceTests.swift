import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

/// Olu owns the organization and decides lifecycle stages; Dee is the other owner; Rita (RevOps) proposes and
/// Mark (Marketing) must agree. Each works on a replica of their own, offline, and syncs later.
struct OfflineOrg {
    let live: LiveServer
    let org: Organization
    let olu: TestReplica
    let dee: TestReplica
    let rita: TestReplica
    let mark: TestReplica
    let deeToken: String

    static func make(_ live: LiveServer) async throws -> OfflineOrg {
        let (oluToken, olu) = try await live.signup("olu@example.com")
        let org = try await live.createOrganization("acme", token: oluToken)
        func join(_ email: String, _ role: MemberRole, _ team: String?) async throws -> (String, UserSummary) {
            let (token, user) = try await live.signup(email)
            try await live.addMember(email, role: role, to: org.slug, token: oluToken)
            if let team { try await live.setTeams([team], of: user.id, in: org.slug, token: oluToken) }
            return (token, user)
        }
        let (deeToken, dee) = try await join("dee@example.com", .owner, nil)
        let (ritaToken, rita) = try await join("rita@example.com", .editor, "RevOps")
        let (markToken, mark) = try await join("mark@example.com", .editor, "Marketing")
        func replica(_ token: String, _ user: UserSummary, _ role: MemberRole) throws -> TestReplica {
            try TestReplica(live, token: token, org: org.id, actor: RuleActor(userID: user.id, role: role))
        }
        let offline = OfflineOrg(
            live: live, org: org, olu: try replica(oluToken, olu, .owner), dee: try replica(deeToken, dee, .owner),
            rita: try replica(ritaToken, rita, .editor), mark: try replica(markToken, mark, .editor), deeToken: deeToken
        )
        let right = DecisionRight(
            type: "definition.change", scope: "lifecycle_stage", recommend: [.team("RevOps")], agree: [.team("Marketing")], decide: .user(olu.id),
            inform: [.everyone]
        )
        let written = try await offline.olu.replica.create(CollectionSchema.decisionRights.name, right.fields)
        #expect(written.warning == nil, "the owners hold decision_right.change by default")
        try await offline.syncAll()
        return offline
    }

    var all: [TestReplica] { [olu, dee, rita, mark] }

    func syncAll() async throws {
        for side in all { #expect(try await side.sync().rejected == 0) }
    }

    func remove() {
        for side in all { side.remove() }
    }

    /// Rita adds MQL and proposes its first version, Mark consents, and everyone syncs.
    func proposedMQL() async throws -> UUID {
        let definition = try await rita.replica.addDefinition(term: "MQL", category: "lifecycle_stage", ownerTeam: "RevOps")
        #expect(definition.warning == nil)
        let proposal = try await rita.replica.propose(definition.id, ProposalRequest(body: "A lead scoring 60 or more.", rationale: "One MQL."))
        #expect(proposal.warning == nil)
        try await syncAll()
        #expect(try await mark.replica.act(.consent, on: proposal.id, comment: nil).warning == nil)
        #expect(try await mark.sync().applied == 1)
        try await syncAll()
        return proposal.id
    }
}

@Suite("Governance offline, judged at sync", .timeLimit(.minutes(5)))
struct OfflineGovernanceTests {
    @Test func anApprovalWithoutTheRightIsWarnedRejectedWithTheHolderAndTakenBackAndOneWithItApplies() async throws {
        try await LiveServer.with { live in
            let org = try await OfflineOrg.make(live)
            defer { org.remove() }
            let proposal = try await org.proposedMQL()

            let attempt = try await org.rita.replica.act(.approve, on: proposal, comment: nil)
            #expect(attempt.warning?.code == "no_right", "the replica judges at once")
            #expect(attempt.warning?.reason.contains("olu@example.com") == true, "the warning names the decider: \(String(describing: attempt.warning))")
            #expect(try org.rita.replica.record("definition_versions", proposal)?["status"] == .text("approved"), "the write is queued all the same")
            let summary = try await org.rita.sync()
            #expect(summary.rejected == 1)
            let rejection = try #require(try org.rita.replica.rejections().first)
            #expect(rejection.code == "no_right" && rejection.reason == attempt.warning?.reason, "the server's reason is the warning's")
            #expect(try org.rita.replica.record("definition_versions", proposal)?["status"] == .text("proposed"), "the replica returns to the server's state")

            let approval = try await org.olu.replica.act(.approve, on: proposal, comment: "Agreed offline")
            #expect(approval.warning == nil)
            #expect(try await org.olu.sync().applied == 1)
            try await org.syncAll()
            for side in org.all {
                let data = try await side.replica.governanceData()
                let summary = DefinitionSummary.all(in: data)
                #expect(summary.map(\.version) == ["1.0"] && summary.map(\.status) == ["active"])
                #expect(data.decisions.values.compactMap { $0.text("title") } == ["MQL 1.0 approved"])
            }
        }
    }

    @Test func twoReplicasEditingOneDraftRaiseOneReviewConflictThatEitherResolves() async throws {
        try await LiveServer.with { live in
            let org = try await OfflineOrg.make(live)
            defer { org.remove() }
            let definition = try await org.rita.replica.addDefinition(term: "SQL", category: "lifecycle_stage", ownerTeam: nil)
            let draft = try await org.rita.replica.propose(definition.id, ProposalRequest(body: "Accepted by Sales.", rationale: "Draft it.", status: .draft))
            let laptop = try TestReplica(live, token: try await Self.login(live, "rita@example.com"), org: org.org.id, actor: RuleActor(userID: try Self.userID(org.rita), role: .editor))
            defer { laptop.remove() }
            try await org.syncAll()
            try await laptop.sync()

            try await org.rita.replica.update("definition_versions", draft.id, ["body": .text("Accepted by Sales within 5 days.")])
            try await laptop.replica.update("definition_versions", draft.id, ["body": .text("Accepted by an AE after a call.")])
            #expect(try await org.rita.sync().applied == 1)
            #expect(try await laptop.sync().conflicts == 1)
            try await org.syncAll()
            try await laptop.sync()
            for side in org.all + [laptop] {
                let conflicts = try side.replica.conflicts()
                #expect(conflicts.count == 1 && conflicts.first?.field == "body")
                #expect(conflicts.first?.theirs == "\"Accepted by Sales within 5 days.\"" && conflicts.first?.mine == "\"Accepted by an AE after a call.\"")
            }
            let conflict = try #require(try laptop.replica.conflicts().first)
            try laptop.replica.resolve(conflict.id, with: .mine)
            #expect(try await laptop.sync().rejected == 0)
            try await org.syncAll()
            for side in org.all + [laptop] {
                #expect(try side.replica.conflicts().isEmpty)
                #expect(try side.replica.record("definition_versions", draft.id)?["body"] == .text("Accepted by an AE after a call."))
            }
        }
    }

    @Test func changingRightsIsGovernedAndARevokedDecidersOfflineApprovalFailsNamingTheNewHolder() async throws {
        try await LiveServer.with { live in
            let org = try await OfflineOrg.make(live)
            defer { org.remove() }
            let proposal = try await org.proposedMQL()
            let rightID = try #require(try org.mark.replica.records("decision_rights").first?.id)

            let grab = try await org.mark.replica.update("decision_rights", rightID, ["decide": .text("user:\(try Self.userID(org.mark).lowercasedText)")])
            #expect(grab.warning?.code == "no_right", "Mark does not hold decision_right.change")
            #expect(grab.warning?.reason.contains("owners (") == true, "\(String(describing: grab.warning))")
            #expect(try await org.mark.sync().rejected == 1)

            // Olu approves on a plane; meanwhile Dee hands the decision to herself.
            let offline = try await org.olu.replica.act(.approve, on: proposal, comment: nil)
            #expect(offline.warning == nil, "Olu's replica still holds the old right")
            let deeID = try Self.userID(org.dee)
            #expect(try await org.dee.replica.update("decision_rights", rightID, ["decide": .text("user:\(deeID.lowercasedText)")]).warning == nil)
            #expect(try await org.dee.sync().rejected == 0)

            #expect(try await org.olu.sync().rejected == 1)
            let rejection = try #require(try org.olu.replica.rejections().first)
            #expect(rejection.code == "no_right")
            #expect(rejection.reason.contains("dee@example.com"), "the new holder is named: \(rejection.reason)")
            #expect(try await org.dee.replica.act(.approve, on: proposal, comment: nil).warning == nil)
            #expect(try await org.dee.sync().applied == 1)
        }
    }

    static func userID(_ side: TestReplica) throws -> UUID {
        try #require(side.replica.actor?.userID)
    }

    static func login(_ live: LiveServer, _ email: String) async throws -> String {
        let answer = try await live.answer("POST", "v1/auth/login", token: "", json: #"{"email":"\#(email)","password":"correct horse battery"}"#)
        return try SyncCoding.decoder().decode(IssuedToken.self, from: Data(answer.body.utf8)).token
    }
}

@Suite("One implementation of every governance view", .timeLimit(.minutes(5)))
struct GovernanceParityTests {
    /// `view` as the server answers it and as the replica computes it, both in the API's JSON spelling.
    static func same<View: Codable>(
        _ path: String, token: String, live: LiveServer, _ type: View.Type, local: View
    ) async throws -> (server: String, replica: String) {
        let answer = try await live.answer("GET", "v1/orgs/acme/\(path)", token: token, json: "")
        #expect(answer.status == 200, "\(path): \(answer.body)")
        let fromServer = try SyncCoding.decoder().decode(View.self, from: Data(answer.body.utf8))
        let encoder = SyncCoding.encoder()
        return (String(decoding: try encoder.encode(fromServer), as: UTF8.self), String(decoding: try encoder.encode(local), as: UTF8.self))
    }

    @Test func theServerAndAReplicaAnswerTheSameDefinitionsHistoryDecisionsRightsAndInbox() async throws {
        try await LiveServer.with { live in
            let org = try await OfflineOrg.make(live)
            defer { org.remove() }
            let first = try await org.proposedMQL()
            #expect(try await org.olu.replica.act(.approve, on: first, comment: "Yes").warning == nil)
            try await org.olu.sync()
            try await org.syncAll()
            let mql = try #require(try await org.rita.replica.governanceData().definition(named: "MQL")?.id)
            _ = try await org.rita.replica.propose(mql, ProposalRequest(body: "A lead scoring 70 or more.", rationale: "Fewer, better MQLs.", breaking: true))
            try await org.rita.sync()
            try await org.syncAll()

            for (email, side) in [("mark@example.com", org.mark), ("olu@example.com", org.olu)] {
                let token = try await OfflineGovernanceTests.login(live, email)
                let data = try await side.replica.governanceData()
                let checks: [(server: String, replica: String)] = [
                    try await Self.same("inbox", token: token, live: live, [InboxItem].self, local: try await side.replica.inbox()),
                    try await Self.same("definitions", token: token, live: live, [DefinitionSummary].self, local: DefinitionSummary.all(in: data)),
                    try await Self.same("definitions/MQL/versions", token: token, live: live, [VersionView].self, local: data.versions(of: mql)),
                    try await Self.same("decisions", token: token, live: live, [DecisionEntry].self, local: DecisionFilter().apply(to: data, today: CalendarDate.text(Date()))),
                    try await Self.same("rights", token: token, live: live, [DecisionRight].self, local: data.rights.all),
                ]
                for check in checks { #expect(check.server == check.replica) }
            }
            let markInbox = try await org.mark.replica.inbox()
            #expect(markInbox.map(\.kind) == [.agree, .informed], "Mark must consent to the new proposal and was told of 1.0: \(markInbox)")
            let oluInbox = try await org.olu.replica.inbox()
            #expect(oluInbox.map(\.kind) == [.decide], "\(oluInbox)")
            #expect(oluInbox.first?.detail.contains("waiting for the Marketing team") == true)
        }
    }
}
