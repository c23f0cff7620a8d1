import AccordCore
import Foundation
import HTTPTypes
import PostgresNIO

/// The governance views and workflow over one organization's records. Every view is AccordCore's, computed
/// from the same records a replica holds; every workflow step is a record change through the write path.
struct GovernanceService: Sendable {
    let records: RecordService
    let now: @Sendable () -> Date

    var catalog: Catalog { records.catalog }

    func data(org: UUID, in tx: Transaction) async throws -> GovernanceData {
        try await GovernanceData { name in try await live(name, org: org, in: tx) }
    }

    func live(_ collection: String, org: UUID, in tx: Transaction) async throws -> [UUID: RecordFields] {
        try await CollectionTable(schema: try catalog.schema(collection)).list(org: org, in: tx).reduce(into: [:]) { $0[$1.id] = $1.fields }
    }

    /// The live records whose text fields each hold one of their values.
    func live(_ collection: String, org: UUID, where anyOf: [String: [String]], in tx: Transaction) async throws -> [UUID: RecordFields] {
        try await CollectionTable(schema: try catalog.schema(collection)).list(org: org, anyOf: anyOf, in: tx).reduce(into: [:]) { $0[$1.id] = $1.fields }
    }

    /// The caller as governance sees them.
    func member(_ access: OrganizationAccess, in data: GovernanceData) -> GovernanceMember {
        data.directory.members[access.userID] ?? GovernanceMember(access.actor(.member))
    }

    func definition(_ reference: String, in data: GovernanceData) throws -> (id: UUID, fields: RecordFields) {
        guard let found = data.definition(named: reference) else {
            throw APIError.notFound("definition '\(reference)'")
        }
        return found
    }

    func version(_ name: String, of definition: UUID, in data: GovernanceData) throws -> VersionView {
        let versions = data.versions(of: definition)
        guard let version = versions.named(name) else {
            let known = versions.compactMap(\.version).joined(separator: ", ")
            throw APIError(.notFound, code: "not_found", message: "There is no version '\(name)' of this definition; its versions are \(known.isEmpty ? "none yet" : known).")
        }
        return version
    }

    func detail(_ reference: String, asOf: Date?, in data: GovernanceData) throws -> DefinitionDetail {
        let (id, _) = try definition(reference, in: data)
        let versions = data.versions(of: id)
        let version = asOf.map { versions.inForce(at: $0) } ?? versions.last { $0.status == .approved }
        return DefinitionDetail(
            definition: DefinitionSummary(id: id, data: data), asOf: asOf, version: version,
            proposals: versions.filter { $0.status == .proposed || $0.status == .draft }
        )
    }

    /// Everything that refers to the definition.
    func impact(_ reference: String, org: UUID, in tx: Transaction) async throws -> [ReferenceIndex.Entry] {
        let data = try await data(org: org, in: tx)
        let id = try definition(reference, in: data).id
        var sources: [(schema: CollectionSchema, records: [UUID: RecordFields])] = []
        for schema in catalog.collections where !ReferenceIndex.referringFields(of: schema).isEmpty {
            sources.append((schema, try await live(schema.name, org: org, in: tx)))
        }
        return data.impact(of: id, in: sources)
    }

    /// The change log as readable entries, newest first, filtered.
    func audit(_ query: AuditQuery, org: UUID, in tx: Transaction) async throws -> AuditPage {
        var sql = """
            SELECT c.seq, c.created_at, c.collection, c.record_id, c.operation, c.outcome, c.actor, u.name, c.client_id,
                   c.fields::text, c.previous::text
            FROM changes c LEFT JOIN users u ON u.id = c.actor WHERE c.org_id = $1
            """
        var binds = PostgresBindings()
        binds.append(org)
        func add(_ condition: String, _ value: some PostgresEncodable & Sendable) throws {
            try binds.append(value)
            sql += " AND \(condition.replacingOccurrences(of: "?", with: "$\(binds.count)"))"
        }
        if let collection = query.collection { try add("c.collection = ?", collection) }
        if let record = query.record { try add("c.record_id = ?", record) }
        if let actor = query.actor { try add("c.actor = ?", actor) }
        if let since = query.since { try add("c.created_at >= ?", since) }
        if let until = query.until { try add("c.created_at < ?", until) }
        if let before = query.before { try add("c.seq < ?", before) }
        binds.append(query.limit + 1)
        sql += " ORDER BY c.seq DESC LIMIT $\(binds.count)"
        let rows = try await tx.rows(
            PostgresQuery(unsafeSQL: sql, binds: binds), as: (Int64, Date, String, UUID, String, String, UUID?, String?, UUID?, String, String).self
        )
        let entries = try rows.prefix(query.limit).map { row in
            AuditEntry(
                seq: row.0, at: row.1, collection: row.2, recordID: row.3, operation: MutationOperation(rawValue: row.4) ?? .update,
                outcome: MergeOutcome(rawValue: row.5) ?? .applied, actor: row.6, actorName: row.7, clientID: row.8,
                fields: try SyncJSON.decode(RecordFields.self, row.9), previous: try SyncJSON.decode(RecordFields.self, row.10)
            )
        }
        return AuditPage(entries: entries, nextBefore: rows.count > query.limit ? entries.last?.seq : nil)
    }
}

/// The filters of `GET /v1/orgs/{org}/audit`.
struct AuditQuery {
    var collection: String?
    var record: UUID?
    var actor: UUID?
    var since: Date?
    var until: Date?
    var before: Int64?
    var limit = 100

    init(_ parameters: [(String, String)], catalog: Catalog) throws {
        var seen: Set<String> = []
        for (name, value) in parameters {
            guard seen.insert(name).inserted else { throw APIError.invalid(FieldError(field: name, message: "is given twice")) }
            switch name {
            case "collection":
                guard catalog.named(value) != nil else { throw APIError.invalid(FieldError(field: name, message: "names no collection; the collections are \(catalog.names.joined(separator: ", "))")) }
                collection = value
            case "record": record = try Self.uuid(name, value)
            case "actor": actor = try Self.uuid(name, value)
            case "since": since = try Self.time(name, value)
            case "until": until = try Self.time(name, value, through: true)
            case "before":
                guard let seq = Int64(value), seq > 0 else { throw APIError.invalid(FieldError(field: name, message: "must be a seq, a whole number from 1")) }
                before = seq
            case "limit":
                guard let count = Int(value), (1...1_000).contains(count) else { throw APIError.invalid(FieldError(field: name, message: "must be a whole number from 1 to 1000")) }
                limit = count
            default:
                throw APIError.invalid(FieldError(field: name, message: "is not a filter of the audit; use collection, record, actor, since, until, before or limit"))
            }
        }
    }

    static func uuid(_ name: String, _ value: String) throws -> UUID {
        guard let id = UUID(uuidString: value) else { throw APIError.invalid(FieldError(field: name, message: "must be a UUID")) }
        return id
    }

    /// A day (`2026-12-01`, from its start in UTC, or `through` its end) or an ISO 8601 time.
    static func time(_ name: String, _ value: String, through: Bool = false) throws -> Date {
        if let days = CalendarDate.days(value) { return Date(timeIntervalSince1970: Double(days + (through ? 1 : 0)) * 86_400) }
        guard let date = RFC3339.parse(value) ?? FieldSchema.parseTime(value) else {
            throw APIError.invalid(FieldError(field: name, message: "must be a date such as 2026-12-01 or a time such as 2026-12-01T09:30:00Z"))
        }
        return date
    }
}
