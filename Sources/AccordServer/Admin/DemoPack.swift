import AccordCore
import Foundation
import Logging

/// The demo consultancy's standard pack, as a consultant would have left it: version 1 (lifecycle definitions,
/// the MQL and SQL KPIs and the lifecycle decision right, with a generic source for MQLs) taken by both
/// clients, who each pointed MQLs at their own HubSpot; version 2 since, which tightens SQL and adds SAL, not
/// yet taken. So the portfolio and `accord packs drift` show at once a client's adaptation and an upgrade
/// waiting. Every record is written through the write path by Dana.
struct DemoPack {
    let api: AccordAPI
    let consultancy: String
    let clients: [String]
    let owner: Identity
    let logger: Logger

    static let name = "Revenue standard"

    func seed() async throws {
        let template = try await api.organizations.inOrganization(clients[0], as: owner, logger: logger) { tx, access in
            try await api.setup(OrganizationRecords(access.organization.id, governance: api.governance, in: tx))
        }
        let first = Self.firstVersion(from: template)
        let pack = UUID()
        try await write(in: consultancy, [
            FollowUp(.create, CollectionSchema.packs.name, pack, [
                "name": .text(Self.name),
                "description": .text("Northwind's lifecycle stages, funnel KPIs and who decides them, for every client we set up."),
            ]),
            version(1, of: pack, first, notes: "The lifecycle stages and funnel KPIs from the kickoff workshops."),
            version(2, of: pack, Self.secondVersion(from: first), notes: "SQLs need a next step within 14 days; SAL added between MQL and SQL."),
        ])
        for client in clients {
            try await write(in: client, first.records.flatMap { kind, records in
                records.map { name, fields in
                    PackDrift.record(pack: pack, packName: Self.name, sourceOrg: consultancy, version: 1, kind: kind, name: name, fields: fields, existing: nil)
                }
            })
        }
    }

    /// What the pack held first: the client's lifecycle records, with MQLs counted in a generic marketing
    /// automation system rather than the client's own.
    static func firstVersion(from setup: OrgSetup) -> PackContents {
        var records: [String: [String: OrgSetup.Fields]] = [:]
        let wanted: [String: (String) -> Bool] = [
            SetupKind.definitions.name: { ["MQL", "SQL"].contains($0) },
            SetupKind.kpis.name: { ["mqls", "sqls"].contains($0) },
            SetupKind.decisionRights.name: { $0.hasPrefix("lifecycle_rule.change") },
        ]
        for (kind, keep) in wanted {
            records[kind] = setup.records[kind]?.filter { keep($0.key) }
        }
        records[SetupKind.kpis.name]?["mqls"]?["source_system"] = .string("Marketing automation · Lead")
        return PackContents(records: records)
    }

    static func secondVersion(from first: PackContents) -> PackContents {
        var second = first
        second.records[SetupKind.definitions.name]?["SQL"]?["body"] = .string(
            "An [[MQL]] that a Sales rep accepted after a first conversation, with a next step booked within 14 days."
        )
        second.records[SetupKind.definitions.name]?["SAL"] = [
            "category": .string("lifecycle_stage"), "owner_team": .string("Sales"),
            "body": .string("An [[MQL]] a Sales rep accepted for follow-up within one working day, before the first conversation."),
            "synonyms": .list([.string("Sales accepted lead")]),
        ]
        return second
    }

    private func version(_ number: Int, of pack: UUID, _ contents: PackContents, notes: String) -> FollowUp {
        FollowUp(.create, CollectionSchema.packVersions.name, UUID(), [
            "pack": .reference(CollectionSchema.packs.name, pack), "version": .int(Int64(number)), "contents": .text(contents.json), "notes": .text(notes),
        ])
    }

    private func write(in slug: String, _ changes: [FollowUp]) async throws {
        try await api.write(changes, in: slug, as: owner, logger: logger)
    }
}
