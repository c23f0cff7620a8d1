import AccordCore
import Foundation

/// The demo's strategy: two priorities, the constraints that block them, five plays (four active, of which one
/// is past its stop date, and one deferred with its reason) within a budget of 30 points a quarter, two SLAs, of
/// which MQL follow-up time is breached by the actuals the KPI seed recorded, and two monthly reviews: the one
/// before last, decided and closed, and last month's, open.
extension DemoGovernance {
    func seedStrategy() async throws {
        let (kpis, settings) = try await api.organizations.inOrganization(slug, as: owner, logger: logger) { tx, access in
            let org = access.organization.id
            return (
                try await api.governance.live(CollectionSchema.kpis.name, org: org, in: tx),
                try await api.governance.live(CollectionSchema.organizationSettings.name, org: org, in: tx)
            )
        }
        func kpi(_ key: String) -> FieldValue {
            kpis.first { $0.value.text("key") == key }.map { .reference(CollectionSchema.kpis.name, $0.key) } ?? .null
        }
        let budget: RecordFields = ["play_capacity_per_quarter": .int(30)]
        if let existing = settings.keys.first {
            try await write(as: owner, FollowUp(.update, CollectionSchema.organizationSettings.name, existing, budget))
        } else {
            try await write(as: owner, FollowUp(.create, CollectionSchema.organizationSettings.name, UUID(), budget))
        }

        let year = OrganizationSettings(fiscalYearStartMonth: fiscalYearStartMonth).period(.year, holding: Date()).description
        let growth = UUID(), retention = UUID()
        let conversion = UUID(), followUp = UUID(), expansion = UUID()
        func reference(_ collection: CollectionSchema, _ id: UUID) -> FieldValue { .reference(collection.name, id) }
        try await write(as: owner, [
            FollowUp(.create, CollectionSchema.priorities.name, growth, [
                "kind": .text("growth"), "name": .text("Grow new business"), "owner": .text("team:\(StandardTeam.revOps.rawValue)"),
                "statement": .text("Double new ARR from tier-1 accounts in the Americas and EMEA."), "horizon": .text(year), "status": .text("active"),
            ]),
            FollowUp(.create, CollectionSchema.priorities.name, retention, [
                "kind": .text("retention"), "name": .text("Keep and expand the customers we win"), "owner": .text("team:\(StandardTeam.customerSuccess.rawValue)"),
                "statement": .text("Net revenue retention above 105%."), "horizon": .text(year), "status": .text("active"),
            ]),
            FollowUp(.create, CollectionSchema.constraints.name, conversion, [
                "priority": reference(.priorities, growth), "statement": .text("MQL→SQL conversion below 27%"), "kpi": kpi("mql_to_sql"),
                "direction": .text("below"), "threshold": .double(0.27), "owner": .text("team:\(StandardTeam.revOps.rawValue)"),
            ]),
            FollowUp(.create, CollectionSchema.constraints.name, followUp, [
                "priority": reference(.priorities, growth), "statement": .text("MQLs wait more than a day for Sales"), "kpi": kpi("mql_followup_hours"),
                "direction": .text("above"), "threshold": .double(24), "owner": .text("team:\(StandardTeam.sales.rawValue)"),
            ]),
            FollowUp(.create, CollectionSchema.constraints.name, expansion, [
                "priority": reference(.priorities, retention), "statement": .text("Net revenue retention below 105%"), "kpi": kpi("nrr"),
                "direction": .text("below"), "threshold": .double(1.05),
            ]),
        ])
        let proving = [("pipeline_created", growth), ("mql_to_sql", growth), ("new_arr", growth), ("nrr", retention)]
        try await write(as: owner, proving.compactMap { key, priority in
            kpis.first { $0.value.text("key") == key }.map { FollowUp(.update, CollectionSchema.kpis.name, $0.key, ["priority": reference(.priorities, priority)]) }
        })
        let day = 86_400.0
        let plays: [RecordFields] = [
            ["name": .text("Speed-to-lead routing"), "owner": .text("team:\(StandardTeam.sales.rawValue)"), "constraint": reference(.constraints, followUp),
             "status": .text("active"), "capacity": .int(5), "expected_kpi": kpi("mql_followup_hours"), "expected_from": .double(31), "expected_to": .double(24),
             "expected_by": .text(CalendarDate.text(Date().addingTimeInterval(90 * day))), "stop_on": .text(CalendarDate.text(Date().addingTimeInterval(120 * day)))],
            ["name": .text("Tier-1 ICP scoring"), "owner": .text("team:\(StandardTeam.revOps.rawValue)"), "constraint": reference(.constraints, conversion),
             "status": .text("active"), "capacity": .int(8), "expected_kpi": kpi("mql_to_sql"), "expected_from": .double(0.24), "expected_to": .double(0.27),
             "stop_kpi": kpi("mqls"), "stop_when": .text("below"), "stop_threshold": .double(250),
             "rationale": .text("Sales rejects a third of MQLs; scoring on tier-1 fit should raise conversion.")],
            ["name": .text("Customer health reviews"), "owner": .text("team:\(StandardTeam.customerSuccess.rawValue)"), "constraint": reference(.constraints, expansion),
             "status": .text("active"), "capacity": .int(5), "expected_kpi": kpi("nrr"), "expected_from": .double(1.04), "expected_to": .double(1.06)],
            ["name": .text("Partner webinars in EMEA"), "owner": .text("team:\(StandardTeam.marketing.rawValue)"), "constraint": reference(.constraints, conversion),
             "status": .text("active"), "capacity": .int(8), "stop_on": .text(CalendarDate.text(Date().addingTimeInterval(-10 * day))),
             "rationale": .text("Webinars brought MQLs at a third of the cost per lead in Q3.")],
            ["name": .text("Field events in APAC"), "owner": .text("team:\(StandardTeam.marketing.rawValue)"), "priority": reference(.priorities, growth),
             "status": .text("not_now"), "capacity": .int(13), "rationale": .text("APAC waits until conversion recovers in the core regions; revisit next quarter.")],
        ]
        for play in plays { try await write(as: owner, FollowUp(.create, CollectionSchema.plays.name, UUID(), play)) }
        for sla in [
            ["name": .text("Sales follows up every MQL within 24 hours"), "kpi": kpi("mql_followup_hours"), "breached_when": .text("above"), "threshold": .double(24),
             "rationale": .text("Leads contacted within a day convert twice as often.")],
            ["name": .text("Marketing hands Sales at least 300 MQLs a month"), "kpi": kpi("mqls"), "breached_when": .text("below"), "threshold": .double(300),
             "rationale": .text("Sales capacity is planned on 300 MQLs a month.")],
        ] as [RecordFields] {
            let teams: RecordFields = ["from_team": .text(StandardTeam.marketing.rawValue), "to_team": .text(StandardTeam.sales.rawValue)]
            try await write(as: owner, FollowUp(.create, CollectionSchema.slas.name, UUID(), sla.merging(teams) { $1 }))
        }
        try await seedReviews()
    }

    private func seedReviews() async throws {
        let (spine, board, decisions) = try await api.organizations.inOrganization(slug, as: owner, logger: logger) { tx, access in
            let load: (String) async throws -> [UUID: RecordFields] = { try await api.governance.live($0, org: access.organization.id, in: tx) }
            let spine = try await KPISpine(asOf: Date(), load: load)
            return (spine, try await StrategyBoard.compute(spine: spine, load: load), try await load(CollectionSchema.decisions.name))
        }
        let month = spine.currentPeriod(.month)
        let (earlier, last) = (month.shifted(by: 2), month.shifted(by: 1))
        let closed = UUID()
        let opening = ReviewAgenda.opening(closed, cadence: .monthly, period: earlier, items: ReviewAgenda.gather(period: earlier, spine: spine, board: board, decisions: decisions))
        try await write(as: owner, opening)
        for item in opening where item.collection == CollectionSchema.reviewItems.name {
            let kind = item.fields.text("kind").flatMap(ReviewItemKind.init) ?? .decision
            let right = await ReviewAgenda.right(of: kind, subject: item.fields.text("subject") ?? "") { collection, id in
                collection == CollectionSchema.kpis.name ? spine.kpis[id].map { ["key": .text($0.key)] } : decisions[id]
            }
            guard let right else { continue }
            try await write(as: owner, ReviewAgenda.deciding(
                item.recordID, item.fields, outcome: .hold, rationale: "Reviewed in the \(earlier) review: hold, and check again next month.", cadence: .monthly,
                changes: nil, right: right
            ))
        }
        try await write(as: owner, FollowUp(.update, CollectionSchema.reviews.name, closed, [
            "status": .text(ReviewStatus.closed.rawValue), "summary": .text("Held every number for a month; no resources moved."),
        ]))
        try await write(as: owner, ReviewAgenda.opening(UUID(), cadence: .monthly, period: last, items: ReviewAgenda.gather(period: last, spine: spine, board: board, decisions: decisions)))
    }
}
