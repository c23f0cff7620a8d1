import AccordCore
import Foundation
import Logging

/// What each client organization of the demo has agreed so far: rights that put RevOps in charge of lifecycle
/// rules with Marketing and Sales agreeing, certified definitions of MQL, SQL, pipeline and ICP, a proposal
/// still waiting for Sales (whose lead is a member) to consent, and a few decisions in the log. Every step is a normal change through
/// the write path, made by the person who would make it.
struct DemoGovernance {
    let api: AccordAPI
    let slug: String
    /// Dana, the consultant: an owner, in RevOps.
    let owner: Identity
    /// The client's marketer (or finance lead), who proposes.
    let proposer: Identity
    /// Who proposes the change still waiting: the marketer where there is one (Marketing proposes lifecycle
    /// stages), else Dana for RevOps.
    let pendingProposer: Identity
    /// Where the client's fiscal year starts.
    var fiscalYearStartMonth = 1
    let logger: Logger

    static let definitions: [(term: String, category: String, owner: String, body: String, criteria: String?, synonyms: [String])] = [
        ("MQL", "lifecycle_stage", "Marketing",
         "A lead Marketing hands to Sales: it fits the [[ICP tier 1]] or tier 2 and has shown buying intent.\nForm fills alone are not MQLs.",
         #"[{"field": "lead_score", "op": ">=", "value": 60}, {"field": "icp_tier", "op": "in", "value": [1, 2]}]"#, ["Marketing qualified lead"]),
        ("SQL", "lifecycle_stage", "Sales",
         "An [[MQL]] that a Sales rep accepted after a first conversation, with a next step booked.",
         #"[{"field": "sales_accepted", "op": "=", "value": true}]"#, ["Sales qualified lead"]),
        ("Pipeline", "metric", "RevOps",
         "The total amount of open opportunities from stage 2 on, new business only; renewals are reported beside it.",
         #"[{"field": "stage", "op": ">=", "value": 2}, {"field": "type", "op": "=", "value": "new_business"}]"#, ["Open pipeline"]),
        ("ICP tier 1", "icp", "RevOps",
         "Companies of 200 to 2,000 employees in manufacturing or logistics, in North America or the EU.",
         #"[{"field": "employees", "op": "between", "value": [200, 2000]}, {"field": "industry", "op": "in", "value": ["manufacturing", "logistics"]}]"#, []),
    ]

    func seed() async throws {
        var ids: [String: UUID] = [:]
        for definition in Self.definitions {
            let id = UUID()
            ids[definition.term] = id
            try await write(as: proposer, FollowUp(.create, CollectionSchema.definitions.name, id, [
                "term": .text(definition.term), "category": .text(definition.category), "owner_team": .text(definition.owner),
            ]))
            let request = ProposalRequest(
                body: definition.body, criteria: definition.criteria, synonyms: definition.synonyms,
                rationale: "Marketing and Sales counted \(definition.term) differently; this is the one definition both use."
            )
            let version = try await propose(request, for: id, term: definition.term, as: proposer)
            try await act(.approve, version, as: owner, comment: "Agreed at the kickoff workshop.")
        }
        // The first definitions were agreed under Accord's defaults; from here on lifecycle stages need
        // Marketing and Sales to agree.
        let marketingAndSales: [Holder] = [.team(StandardTeam.marketing.rawValue), .team(StandardTeam.sales.rawValue)]
        try await write(as: owner, FollowUp(.create, CollectionSchema.decisionRights.name, UUID(), DecisionRight(
            type: "lifecycle_rule.change", description: "RevOps owns lifecycle rules; Marketing and Sales must agree.",
            recommend: [.team(StandardTeam.revOps.rawValue)], agree: marketingAndSales, decide: .team(StandardTeam.revOps.rawValue),
            perform: [.team(StandardTeam.revOps.rawValue)], inform: [.everyone]
        ).fields))
        try await write(as: owner, FollowUp(.create, CollectionSchema.decisionRights.name, UUID(), DecisionRight(
            type: "definition.change", scope: "lifecycle_stage", description: "Lifecycle stages change only with Marketing and Sales on board.",
            recommend: [.team(StandardTeam.revOps.rawValue), .team(StandardTeam.marketing.rawValue)], agree: marketingAndSales,
            input: [.team(StandardTeam.finance.rawValue)], decide: .role(.admin), inform: [.everyone], escalateAfterDays: 5,
            escalateTo: .team(StandardTeam.revOps.rawValue), separateDuties: true
        ).fields))
        guard let mql = ids["MQL"] else { return }
        let waiting = ProposalRequest(
            body: "A lead Marketing hands to Sales: it fits the [[ICP tier 1]] and scored 70 or more.\nForm fills alone are not MQLs.",
            criteria: #"[{"field": "lead_score", "op": ">=", "value": 70}, {"field": "icp_tier", "op": "in", "value": [1]}]"#,
            rationale: "Sales rejects a third of today's MQLs; a higher bar and tier 1 only should halve that.", breaking: true
        )
        let proposal = try await propose(waiting, for: mql, term: "MQL", as: pendingProposer, basedOnCurrent: true)
        if pendingProposer.userID != owner.userID { try await act(.consent, proposal, as: pendingProposer) }
        let today = CalendarDate.text(Date())
        let inAQuarter = CalendarDate.text(Date().addingTimeInterval(91 * 86_400))
        try await write(as: owner, FollowUp(.create, CollectionSchema.decisions.name, UUID(), [
            "title": .text("Shift 10% of the events budget to partner webinars"), "decision_type": .text("budget.shift"),
            "rationale": .text("Webinars brought [[MQL]]s at a third of the cost per lead in Q3."), "cadence": .text("quarterly"),
            "status": .text("decided"), "decided_on": .text(today), "review_on": .text(inAQuarter),
            "links": .strings(["definitions/\(mql.lowercasedText)"]),
        ]))
        try await seedKPIs()
        try await seedStrategy()
    }

    private func propose(_ request: ProposalRequest, for definition: UUID, term: String, as person: Identity, basedOnCurrent: Bool = false) async throws -> UUID {
        let id = UUID()
        let current: VersionView? = basedOnCurrent ? try await currentVersion(of: definition) : nil
        try await write(as: person, FollowUp(.create, CollectionSchema.definitionVersions.name, id, request.fields(definition: definition, term: term, basedOn: current)))
        return id
    }

    private func currentVersion(of definition: UUID) async throws -> VersionView? {
        try await api.organizations.inOrganization(slug, as: owner, logger: logger) { tx, access in
            try await api.governance.data(org: access.organization.id, in: tx).versions(of: definition).last { $0.status == .approved }
        }
    }

    private func act(_ action: ProposalAction, _ proposal: UUID, as person: Identity, comment: String? = nil) async throws {
        try await write(as: person, action.change(proposal, comment: comment, by: person.userID, responses: [:]))
    }

    func write(as person: Identity, _ change: FollowUp) async throws {
        try await write(as: person, [change])
    }

    func write(as person: Identity, _ changes: [FollowUp]) async throws {
        try await api.write(changes, in: slug, as: person, logger: logger)
    }
}
