import AccordCore
import Foundation
import Logging
import PostgresNIO

/// Keeps the `members` and `team_rosters` collections equal to the organization's memberships and teams, so
/// replicas sync who is who. The member and team endpoints change the tables; this then writes the difference
/// through the write path, as changes the server makes for the member who made the change.
struct DirectoryRecords: Sendable {
    let path: WritePath

    /// Brings both collections in line with the tables; returns the organization's head afterwards.
    @discardableResult
    func reconcile(org: UUID, actor: RuleActor, in tx: Transaction) async throws -> Int64 {
        guard let head = try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org) FOR UPDATE", as: Int64.self) else {
            throw APIError.organizationNotFound(org.lowercasedText)
        }
        var writer = ChangeWriter(org: org, lockedHead: head, in: tx)
        let view = ServerRecordView(catalog: path.catalog, org: org, tx: tx)
        let (members, rosters) = try await Self.current(org: org, in: tx)
        // A catalog may leave the directory out (tests of the sync engine do); then there is nothing to keep.
        for (schema, wanted) in [(CollectionSchema.members, members), (CollectionSchema.teamRosters, rosters)] where path.catalog.named(schema.name) != nil {
            let stored = try await CollectionTable(schema: schema).list(org: org, in: tx).reduce(into: [UUID: RecordFields]()) { $0[$1.id] = $1.fields }
            for change in Self.changes(from: stored, to: wanted, in: schema) {
                if case .failure(let rejection) = try await path.apply(.server(change), actor: actor.viaServer, view: view, writer: &writer) {
                    throw DirectoryRefused(collection: schema.name, reason: rejection.reason)
                }
            }
        }
        try await writer.finish()
        return writer.head
    }

    /// The creates, updates (of the fields that differ) and deletes that turn `stored` into `wanted`.
    static func changes(from stored: [UUID: RecordFields], to wanted: [UUID: RecordFields], in schema: CollectionSchema) -> [FollowUp] {
        var changes: [FollowUp] = []
        for (id, fields) in wanted.sorted(by: { $0.key.lowercasedText < $1.key.lowercasedText }) {
            guard let old = stored[id] else {
                changes.append(FollowUp(.create, schema.name, id, fields))
                continue
            }
            let changed = fields.filter { old[$0.key] != $0.value }
            if !changed.isEmpty { changes.append(FollowUp(.update, schema.name, id, changed)) }
        }
        for id in stored.keys.sorted(by: { $0.lowercasedText < $1.lowercasedText }) where wanted[id] == nil {
            changes.append(FollowUp(.delete, schema.name, id))
        }
        return changes
    }

    /// The members and team rosters as the tables hold them, in the collections' canonical spelling.
    private static func current(org: UUID, in tx: Transaction) async throws -> (members: [UUID: RecordFields], rosters: [UUID: RecordFields]) {
        let belongs = try await tx.rows(
            "SELECT tm.user_id, t.id, t.name FROM team_members tm JOIN teams t ON t.org_id = tm.org_id AND t.id = tm.team_id WHERE tm.org_id = \(org)",
            as: (UUID, UUID, String).self
        )
        let people = try await tx.rows(
            "SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = \(org)",
            as: (UUID, String, String, String).self
        )
        var members: [UUID: RecordFields] = [:]
        for (id, name, email, role) in people {
            let teams = belongs.filter { $0.0 == id }.map(\.2).sorted()
            members[id] = ["name": .text(name), "email": .text(email), "role": .text(role), "teams": .text(try jsonArray(teams))]
        }
        var rosters: [UUID: RecordFields] = [:]
        for (id, name) in try await tx.rows("SELECT id, name FROM teams WHERE org_id = \(org)", as: (UUID, String).self) {
            let ids = belongs.filter { $0.1 == id && members[$0.0] != nil }.map { $0.0.lowercasedText }.sorted()
            rosters[id] = ["name": .text(name), "members": .text(try jsonArray(ids))]
        }
        return (members, rosters)
    }

    private static func jsonArray(_ values: [String]) throws -> String {
        CanonicalJSON.canonical(try SyncJSON.text(values)) ?? "[]"
    }
}

extension AccordAPI {
    /// Writes the members and team rosters of organizations made before the server kept them, as changes made
    /// for one of each organization's owners.
    func backfillDirectories(_ organizations: [UUID], logger: Logger) async throws {
        for org in organizations {
            let head = try await database.transaction(org: org, logger: logger) { tx -> Int64? in
                guard let owner = try await tx.first(
                    "SELECT user_id FROM memberships WHERE org_id = \(org) AND role = 'owner' ORDER BY created_at LIMIT 1", as: UUID.self
                ) else { return nil }
                return try await directory.reconcile(org: org, actor: RuleActor(userID: owner, role: .owner, origin: .server), in: tx)
            }
            if let head { heads.advance(org, to: head) }
        }
        if !organizations.isEmpty { logger.info("wrote the members and teams of organizations made before they synced", metadata: ["organizations": "\(organizations.count)"]) }
    }
}

/// The write path refused a directory record, which means the declaration and the tables disagree.
struct DirectoryRefused: Error, CustomStringConvertible {
    var collection: String
    var reason: String
    var description: String { "the server could not keep \(collection) in step with the organization: \(reason)" }
}
