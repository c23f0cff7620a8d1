import Foundation

/// The rules of `definition_versions`, the proposal lifecycle: a recommend holder writes a draft and proposes
/// it; the agree holders consent or object; the decider approves (after every consent, never their own
/// proposal where duties are separated) or rejects with a reason; the proposer may withdraw. Approving makes
/// the version current, supersedes the one before and logs the decision; nothing else changes a version's
/// status, and a proposal's content is frozen.
enum ProposalRules {
    /// What a proposal says; only a draft's may change.
    static let content = ["term", "body", "criteria", "synonyms", "related", "rationale", "breaking", "deprecate", "replacement", "based_on"]

    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        guard let merged = input.merged else {
            return .reject("governed", "A definition's versions are its history and are never deleted; withdraw a proposal instead.")
        }
        if input.operation == .update, input.changes("definition") {
            return .reject("governed", "A version stays with the definition it was written for.")
        }
        guard let definitionID = merged.reference("definition", into: CollectionSchema.definitions.name),
              let definition = try await input.view.record(CollectionSchema.definitions.name, definitionID) else {
            return .reject("missing_reference", "The definition this version is for does not exist; add the definition first.")
        }
        let context = try await GovernanceContext.load(input)
        let scope = definition.text("category")
        let term = merged.text("term") ?? definition.text("term") ?? "the definition"
        let to = merged.text("status").flatMap(ProposalStatus.init) ?? .draft
        func lacking(_ role: RightRole, _ action: String) -> RuleDecision? {
            context.refusal(role, "definition.change", scope: scope, doing: action, waitingSince: input.stored?.time("proposed_at"), now: input.now)
        }
        if merged.bool("deprecate"), let problem = try await replacementProblem(merged, definitionID: definitionID, view: input.view) {
            return .reject("invalid", problem)
        }
        guard let stored = input.stored, let from = stored.text("status").flatMap(ProposalStatus.init) else {
            guard to == .draft || to == .proposed else {
                return .reject("invalid_status", "A new version starts as a draft or a proposal; it is approved or rejected by a decision.")
            }
            if let refusal = lacking(.recommend, "propose a change to \(term)") { return refusal }
            var stamps: RecordFields = ["proposed_by": .text(input.actor.userID.lowercasedText)]
            if to == .proposed { stamps["proposed_at"] = .text(FieldSchema.canonicalTime(input.now)) }
            if merged["based_on"] == nil || merged["based_on"] == .null, let current = definition["current_version"], current != .null {
                stamps["based_on"] = current
            }
            return .accept(stamping: stamps)
        }
        if content.contains(where: input.changes) {
            guard from == .draft, to == .draft || to == .proposed else {
                return .reject("frozen", "This version is \(from.rawValue), so its content is frozen; withdraw it and propose a new version.")
            }
            if let refusal = lacking(.recommend, "edit a proposal of \(term)") { return refusal }
        }
        if input.changes("decision_note"), from != .proposed || (to != .approved && to != .rejected) {
            return .reject("invalid", "decision_note is written once, by the decider, when approving or rejecting a proposal.")
        }
        let proposer = stored.uuid("proposed_by")
        switch (from, to) {
        case _ where from == to:
            return .accept
        case (.draft, .proposed):
            if let refusal = lacking(.recommend, "propose a change to \(term)") { return refusal }
            return .accept(stamping: ["proposed_at": .text(FieldSchema.canonicalTime(input.now))])
        case (.draft, .withdrawn), (.proposed, .withdrawn):
            guard proposer == nil || proposer == input.actor.userID else {
                return .reject("not_proposer", "Only \(context.directory.name(proposer!)), who proposed it, may withdraw it; the decider may reject it instead.")
            }
            return .accept
        case (.proposed, .approved):
            return try await approve(input, merged: merged, definition: (definitionID, definition), context: context, term: term, lacking: lacking)
        case (.proposed, .rejected):
            if let refusal = lacking(.decide, "approve or reject a change to \(term)") { return refusal }
            guard let note = merged.text("decision_note"), !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return .reject("invalid", "A rejection needs a reason in decision_note, so the proposer knows what to change.")
            }
            return .accept(stamping: decidedStamps(input))
        default:
            let hint = from == .approved || from == .superseded ? " A certified version never changes; propose a new one." : ""
            return .reject("invalid_transition", "A \(from.rawValue) version cannot become \(to.rawValue).\(hint)")
        }
    }

    private static func approve(
        _ input: RuleInput, merged: RecordFields, definition: (id: UUID, fields: RecordFields), context: GovernanceContext, term: String,
        lacking: (RightRole, String) -> RuleDecision?
    ) async throws -> RuleDecision {
        let stored = input.stored ?? [:]
        let scope = definition.fields.text("category")
        if let refusal = lacking(.decide, "approve or reject a change to \(term)") { return refusal }
        let right = context.book.right(for: "definition.change", scope: scope)
        if right.separateDuties, stored.uuid("proposed_by") == input.actor.userID {
            let others = context.directory.holders(of: right.decide).filter { $0.id != input.actor.userID }.map(\.name)
            let who = others.isEmpty ? "nobody else holds it today; change the right first" : others.joined(separator: ", ")
            return .reject("separation_of_duties", "You proposed this change, and \(right.title) separates duties: another decider must approve it (\(who)).")
        }
        let proposalRef = FieldValue.reference(CollectionSchema.definitionVersions.name, input.recordID)
        let responses = try await input.view.records(CollectionSchema.proposalResponses.name, matching: ["proposal": proposalRef])
        if let blocker = ConsentTally(right: right, proposal: input.recordID, responses: responses, directory: context.directory).blocker(context.directory) {
            return RuleDecision(rejection: blocker, stamps: [:], followUps: [])
        }
        let current = definition.fields.reference("current_version", into: CollectionSchema.definitionVersions.name)
        let currentVersion = try await current.asyncMap { try await input.view.record(CollectionSchema.definitionVersions.name, $0) }
        guard current == merged.reference("based_on", into: CollectionSchema.definitionVersions.name) else {
            let now = currentVersion??.text("version") ?? "another version"
            return .reject("stale_proposal", "This proposal was written on an earlier version, and \(now) is current now; propose again on top of it.")
        }
        if term.caseInsensitiveCompare(definition.fields.text("term") ?? term) != .orderedSame {
            let all = try await input.view.records(CollectionSchema.definitions.name, matching: [:])
            if all.contains(where: { $0.key != definition.id && $0.value.text("term")?.caseInsensitiveCompare(term) == .orderedSame }) {
                return .reject("duplicate_term", "Another definition is already called \(term); rename this one differently or deprecate the other.")
            }
        }
        let number = VersionNumber.next(after: VersionNumber(currentVersion??.text("version")), breaking: merged.bool("breaking"))
        let decisionID = UUID()
        var stamps = decidedStamps(input)
        stamps["version"] = .text(number.description)
        stamps["decision"] = .reference(CollectionSchema.decisions.name, decisionID)
        let deprecates = merged.bool("deprecate")
        var definitionChange: RecordFields = [
            "current_version": proposalRef, "term": .text(term), "status": .text(deprecates ? "deprecated" : "active"),
        ]
        if deprecates { definitionChange["replaced_by"] = merged["replacement"] ?? .null }
        var followUps = [FollowUp(.update, CollectionSchema.definitions.name, definition.id, definitionChange)]
        if let current { followUps.append(FollowUp(.update, CollectionSchema.definitionVersions.name, current, ["status": .text(ProposalStatus.superseded.rawValue)])) }
        let title = deprecates ? "\(term) deprecated" : "\(term) \(number) approved"
        followUps.append(FollowUp(.create, CollectionSchema.decisions.name, decisionID, [
            "title": .text(title), "decision_type": .text("definition.change"), "scope": scope.map(FieldValue.text) ?? .null,
            "rationale": merged["rationale"] ?? .text("Approved."), "cadence": .text(DecisionCadence.adHoc.rawValue),
            "links": .strings(["definitions/\(definition.id.lowercasedText)", "definition_versions/\(input.recordID.lowercasedText)"]),
            "status": .text(DecisionStatus.decided.rawValue),
        ]))
        return .accept(stamping: stamps, followUps: followUps)
    }

    private static func decidedStamps(_ input: RuleInput) -> RecordFields {
        ["decided_by": .text(input.actor.userID.lowercasedText), "decided_at": .text(FieldSchema.canonicalTime(input.now))]
    }

    private static func replacementProblem(_ merged: RecordFields, definitionID: UUID, view: any RecordView) async throws -> String? {
        guard let replacement = merged.reference("replacement", into: CollectionSchema.definitions.name) else {
            return "A deprecation names its replacement: set replacement to the definition that takes over, as definitions/<id>."
        }
        if replacement == definitionID { return "A definition cannot replace itself." }
        return try await view.record(CollectionSchema.definitions.name, replacement) == nil ? "The replacement definition does not exist." : nil
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
