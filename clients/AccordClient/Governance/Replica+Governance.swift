public import AccordCore
public import Foundation

/// Governance on the replica: the same views the server answers, computed from the local records (pending
/// changes included), and the workflow steps as local writes that the rights judge at once and the server
/// judges again at sync.
extension Replica {
    /// The organization's governance records as this replica holds them.
    public func governanceData() async throws -> GovernanceData {
        try await GovernanceData { name in
            try records(name).reduce(into: [:]) { $0[$1.id] = $1.fields }
        }
    }

    /// The member this replica acts as, as its `members` records know them.
    public func governanceMember(in data: GovernanceData) throws -> GovernanceMember {
        guard let actor = try currentActor() else { throw ClientError.notLoggedIn }
        return data.directory.members[actor.userID] ?? GovernanceMember(actor)
    }

    /// The definition a person names by term or id, or an error listing the terms there are.
    public func definition(_ name: String, in data: GovernanceData) throws -> (id: UUID, fields: RecordFields) {
        guard let found = data.definition(named: name) else {
            let terms = data.definitions.values.compactMap { $0.text("term") }.sorted()
            let known = terms.isEmpty ? "there are none in this replica yet; accord sync fetches them" : "the terms are \(terms.joined(separator: ", "))"
            throw ClientError.notFound("there is no definition '\(name)'; \(known)")
        }
        return found
    }

    /// Adds a term; its content comes with its first proposal.
    public func addDefinition(term: String, category: String, ownerTeam: String?) async throws -> LocalWrite {
        var fields: RecordFields = ["term": .text(term), "category": .text(category)]
        if let ownerTeam { fields["owner_team"] = .text(ownerTeam) }
        return try await create(CollectionSchema.definitions.name, fields)
    }

    /// Proposes a new version of a definition, filled in from its current version where the request is silent.
    public func propose(_ definition: UUID, _ request: ProposalRequest) async throws -> LocalWrite {
        let data = try await governanceData()
        let current = data.versions(of: definition).last { $0.status == .approved }
        let fields = request.fields(definition: definition, term: data.definitions[definition]?.text("term"), basedOn: current)
        return try await create(CollectionSchema.definitionVersions.name, fields)
    }

    /// The open proposal of a definition: the only one, or the one whose id starts with `id`.
    public func openProposal(of definition: UUID, id: String? = nil, in data: GovernanceData) throws -> VersionView {
        let open = data.versions(of: definition).filter { $0.status == .proposed || $0.status == .draft }
        let matching = id.map { prefix in open.filter { $0.id.lowercasedText.hasPrefix(prefix.lowercased()) } } ?? open
        switch matching.count {
        case 1: return matching[0]
        case 0: throw ClientError.notFound(id == nil ? "there is no open proposal for this definition; accord def propose writes one" : "no open proposal's id starts with '\(id!)'")
        default: throw ClientError.invalidInput("there are \(matching.count) open proposals; name one with --proposal <id>: \(matching.map { String($0.id.lowercasedText.prefix(8)) }.joined(separator: ", "))")
        }
    }

    /// Consents to, objects to, comments on, approves, rejects or withdraws a proposal.
    public func act(_ action: ProposalAction, on proposal: UUID, comment: String?) async throws -> LocalWrite {
        let data = try await governanceData()
        let member = try governanceMember(in: data)
        let change = action.change(proposal, comment: comment, by: member.id, responses: data.responses)
        switch change.operation {
        case .create: return try await create(change.collection, change.fields, id: change.recordID)
        default: return try await update(change.collection, change.recordID, change.fields)
        }
    }

    /// Records a decision in the log.
    public func recordDecision(_ fields: RecordFields) async throws -> LocalWrite {
        try await create(CollectionSchema.decisions.name, fields)
    }

    /// What waits for this member, as of `now`.
    public func inbox(now: Date = Date()) async throws -> [InboxItem] {
        let data = try await governanceData()
        return Inbox.items(for: try governanceMember(in: data), in: data, now: now)
    }

    /// Everything in this replica that refers to the definition.
    public func impact(of definition: UUID, in data: GovernanceData) throws -> [ReferenceIndex.Entry] {
        let sources = try catalog.collections.filter { !ReferenceIndex.referringFields(of: $0).isEmpty }.map { schema in
            (schema: schema, records: try records(schema.name).reduce(into: [UUID: RecordFields]()) { $0[$1.id] = $1.fields })
        }
        return data.impact(of: definition, in: sources)
    }
}
