import AccordCore
import Foundation
import Hummingbird

extension AccordAPI {
    /// Decision rights, definitions under change control, the decision log, the inbox and the audit.
    func addGovernanceRoutes(to v1: RouterGroup<Context>) {
        v1.get("orgs/:org/rights") { request, context -> [DecisionRight] in
            try await governanceData(request, context) { data, _ in data.rights.all }
        }
        v1.get("orgs/:org/rights/check") { request, context -> RightsCheckAnswer in
            let query = Self.parameters(request, allowed: ["type", "user", "scope"])
            return try await governanceData(request, context) { data, access in
                let type = try Self.required("type", in: try query())
                let user = try query()["user"]
                let member: GovernanceMember
                if let user {
                    guard let found = data.directory.find(user) else {
                        throw APIError.notFound("member '\(user)'")
                    }
                    member = found
                } else {
                    member = governance.member(access, in: data)
                }
                return RightsCheckAnswer(member: member, type: type, scope: try query()["scope"], book: data.rights)
            }
        }
        v1.get("orgs/:org/definitions") { request, context -> [DefinitionSummary] in
            try await governanceData(request, context) { data, _ in DefinitionSummary.all(in: data) }
        }
        v1.get("orgs/:org/definitions/:definition") { request, context -> DefinitionDetail in
            let query = Self.parameters(request, allowed: ["as_of"])
            return try await governanceData(request, context) { data, _ in
                let asOf = try query()["as_of"].map { try Self.endOfDay("as_of", $0) }
                return try governance.detail(try Self.named("definition", context), asOf: asOf, in: data)
            }
        }
        v1.get("orgs/:org/definitions/:definition/versions") { request, context -> [VersionView] in
            try await governanceData(request, context) { data, _ in
                data.versions(of: try governance.definition(try Self.named("definition", context), in: data).id)
            }
        }
        v1.get("orgs/:org/definitions/:definition/diff") { request, context -> DefinitionDiff in
            let query = Self.parameters(request, allowed: ["from", "to"])
            return try await governanceData(request, context) { data, _ in
                let id = try governance.definition(try Self.named("definition", context), in: data).id
                let from = try governance.version(try Self.required("from", in: try query()), of: id, in: data)
                let to = try governance.version(try query()["to"] ?? "current", of: id, in: data)
                return DefinitionDiff(from: from, to: to)
            }
        }
        v1.get("orgs/:org/definitions/:definition/impact") { request, context -> [ReferenceIndex.Entry] in
            try await inOrganization(request, context) { tx, access in
                try await governance.impact(try Self.named("definition", context), org: access.organization.id, in: tx)
            }
        }
        v1.post("orgs/:org/definitions/:definition/proposals") { request, context -> EditedResponse<VersionView> in
            let body = try await request.decodeJSON(as: ProposalRequest.self, context: context)
            return EditedResponse(status: .created, response: try await propose({ body }, request, context))
        }
        for action in ProposalAction.allCases {
            v1.post(RouterPath("orgs/:org/proposals/:proposal/\(action.rawValue)")) { request, context -> VersionView in
                let body = try await request.decodeJSON(as: ProposalActionRequest.self, context: context)
                return try await act(action, comment: body.comment, request, context)
            }
        }
        v1.get("orgs/:org/decisions") { request, context -> [DecisionEntry] in
            let query = Self.parameters(request, allowed: ["type", "status", "cadence", "link", "decider", "since", "until", "due"])
            return try await governanceData(request, context) { data, _ in
                let filter = try DecisionFilter(query(), directory: data.directory)
                return filter.apply(to: data, today: CalendarDate.text(governance.now()))
            }
        }
        v1.get("orgs/:org/inbox") { request, context -> [InboxItem] in
            try await governanceData(request, context) { data, access in
                Inbox.items(for: governance.member(access, in: data), in: data, now: governance.now())
            }
        }
        v1.get("orgs/:org/audit") { request, context -> AuditPage in
            let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            return try await inOrganization(request, context) { tx, access in
                try await governance.audit(try AuditQuery(parameters, catalog: catalog), org: access.organization.id, in: tx)
            }
        }
    }

    /// Proposes a new version of the definition the `:definition` parameter names, based on its certified one.
    func propose(_ read: @escaping @Sendable () throws -> ProposalRequest, _ request: Request, _ context: Context) async throws -> VersionView {
        try await governedWrite(request, context) { data, _ in
            let body = try read()
            let (id, definition) = try governance.definition(try Self.named("definition", context), in: data)
            let current = data.versions(of: id).last { $0.status == .approved }
            let fields = body.fields(definition: id, term: definition.text("term"), basedOn: current)
            return FollowUp(.create, CollectionSchema.definitionVersions.name, UUID(), fields)
        }
    }

    /// Consents to, objects to, comments on, approves, rejects or withdraws the proposal the `:proposal` parameter
    /// names, as the caller, under the proposal's rules.
    func act(_ action: ProposalAction, comment: String?, _ request: Request, _ context: Context) async throws -> VersionView {
        try await governedWrite(request, context) { data, access in
            guard let proposal = UUID(uuidString: try context.parameters.require("proposal")), data.versions[proposal] != nil else {
                throw APIError.notFound("proposal '\(try context.parameters.require("proposal"))'")
            }
            return action.change(proposal, comment: comment, by: access.userID, responses: data.responses)
        }
    }

    private func governanceData<Result: Sendable>(
        _ request: Request, _ context: Context, _ body: @escaping (GovernanceData, OrganizationAccess) async throws -> Result
    ) async throws -> Result {
        try await inOrganization(request, context) { tx, access in
            try await body(try await governance.data(org: access.organization.id, in: tx), access)
        }
    }

    /// Makes the change `change` builds from the organization's governance records, and answers with the
    /// definition version it made or touched.
    func governedWrite(
        _ request: Request, _ context: Context, _ change: @escaping (GovernanceData, OrganizationAccess) async throws -> FollowUp
    ) async throws -> VersionView {
        let (version, org, head) = try await inOrganization(request, context) { tx, access in
            let org = access.organization.id
            let followUp = try await change(try await governance.data(org: org, in: tx), access)
            let (_, head) = try await records.write(followUp, ifMatch: nil, access: access, in: tx)
            let data = try await governance.data(org: org, in: tx)
            let versionID = followUp.collection == CollectionSchema.definitionVersions.name
                ? followUp.recordID : followUp.fields.reference("proposal", into: CollectionSchema.definitionVersions.name)
            guard let versionID, let fields = data.versions[versionID],
                  let definition = fields.reference("definition", into: CollectionSchema.definitions.name),
                  let version = data.versions(of: definition).first(where: { $0.id == versionID }) else {
                throw APIError(.internalServerError, code: "internal", message: "The change was made but its version could not be read back.")
            }
            return (version, org, head)
        }
        heads.advance(org, to: head)
        return version
    }

    /// A path parameter that names something by its name, which may hold spaces: "ICP tier 1".
    static func named(_ parameter: String, _ context: Context) throws -> String {
        let raw = try context.parameters.require(parameter)
        return raw.removingPercentEncoding ?? raw
    }

    /// The query's parameters, refused when one is unknown or repeated.
    private static func parameters(_ request: Request, allowed: Set<String>) -> () throws -> [String: String] {
        let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        return {
            var found: [String: String] = [:]
            for (name, value) in pairs {
                guard allowed.contains(name) else {
                    throw APIError.invalid(FieldError(field: name, message: "is not a parameter here; use \(allowed.sorted().joined(separator: ", "))"))
                }
                guard found.updateValue(value, forKey: name) == nil else { throw APIError.invalid(FieldError(field: name, message: "is given twice")) }
            }
            return found
        }
    }

    private static func required(_ name: String, in query: [String: String]) throws -> String {
        guard let value = query[name], !value.isEmpty else { throw APIError.invalid(FieldError(field: name, message: "is required")) }
        return value
    }

    /// A date means its whole day: "as of 2026-03-01" reads what was in force at the end of it.
    static func endOfDay(_ name: String, _ value: String) throws -> Date {
        if let days = CalendarDate.days(value) { return Date(timeIntervalSince1970: Double(days + 1) * 86_400 - 0.001) }
        return try AuditQuery.time(name, value)
    }
}

extension DecisionFilter {
    init(_ query: [String: String], directory: MemberDirectory) throws {
        self.init()
        type = query["type"]
        if let status = query["status"] {
            guard let known = DecisionStatus(rawValue: status) else {
                throw APIError.invalid(FieldError(field: "status", message: "must be one of \(DecisionStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            self.status = known
        }
        cadence = query["cadence"]
        link = query["link"]
        if let decider = query["decider"] {
            guard let member = directory.find(decider) else {
                throw APIError.invalid(FieldError(field: "decider", message: "names no member; give a member's id, email or name"))
            }
            self.decider = member.id
        }
        for (name, value) in [("since", query["since"]), ("until", query["until"])] {
            guard let value else { continue }
            guard CalendarDate.days(value) != nil else { throw APIError.invalid(FieldError(field: name, message: "must be a date such as 2026-12-01")) }
            if name == "since" { since = value } else { until = value }
        }
        switch query["due"] {
        case nil, "false", "0": due = false
        case "true", "1": due = true
        default: throw APIError.invalid(FieldError(field: "due", message: "must be true or false"))
        }
    }
}
