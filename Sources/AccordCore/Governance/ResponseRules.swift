import Foundation

/// The rules of `proposal_responses`: members answer for themselves, on open proposals; consenting and
/// objecting belong to the agree holders, and an objection says why.
enum ResponseRules {
    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        guard let merged = input.merged else {
            return .reject("governed", "A response stays on the record; change your stance instead (consent withdraws an objection).")
        }
        if input.operation == .update, input.changes("proposal") { return .reject("governed", "A response stays with its proposal.") }
        guard let proposalID = merged.reference("proposal", into: CollectionSchema.definitionVersions.name),
              let proposal = try await input.view.record(CollectionSchema.definitionVersions.name, proposalID) else {
            return .reject("missing_reference", "The proposal this response is for does not exist.")
        }
        guard proposal.text("status") == ProposalStatus.proposed.rawValue else {
            return .reject("closed", "This proposal is \(proposal.text("status") ?? "closed"), so it takes no more responses.")
        }
        let context = try await GovernanceContext.load(input)
        guard input.recordID == ProposalResponse.id(proposal: proposalID, member: input.actor.userID) else {
            let owner = ProposalResponse.member(of: input.recordID, proposal: proposalID)
            return .reject("not_yours", "Each member answers for themselves; this response is \(context.directory.name(owner))'s.")
        }
        let stance = merged.text("stance").flatMap(ResponseStance.init) ?? .comment
        let term = proposal.text("term") ?? "the definition"
        if stance != .comment {
            let definition = try await proposal.reference("definition", into: CollectionSchema.definitions.name)
                .asyncMap { try await input.view.record(CollectionSchema.definitions.name, $0) }
            if let refusal = context.refusal(.agree, "definition.change", scope: definition??.text("category"), doing: "consent to or object to a change to \(term)", now: input.now) {
                return refusal
            }
        }
        if stance == .object, (merged.text("comment") ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .reject("invalid", "An objection says why in its comment, so the proposer knows what would change your mind.")
        }
        return .accept(stamping: ["member": .text(input.actor.userID.lowercasedText), "responded_at": .text(FieldSchema.canonicalTime(input.now))])
    }
}

/// The rules of `decisions`: recording one is checked against the right for its type; a decided decision is
/// append-only, and a new decision superseding it marks it superseded.
enum DecisionRules {
    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        let stored = input.stored
        let from = stored?.text("status").flatMap(DecisionStatus.init)
        guard let merged = input.merged else {
            guard input.actor.origin == .member else { return .accept }
            if from != .proposed {
                return .reject("append_only", "A decided decision is never deleted; record a new decision that supersedes it.")
            }
            let context = try await GovernanceContext.load(input)
            let type = stored?.text("decision_type") ?? ""
            return context.refusal(.recommend, type, scope: stored?.text("scope"), doing: "withdraw a proposed \(type) decision", now: input.now) ?? .accept
        }
        let to = merged.text("status").flatMap(DecisionStatus.init) ?? .proposed
        var stamps: RecordFields = [:]
        if to == .decided, from != .decided {
            stamps["decided_by"] = .text(input.actor.userID.lowercasedText)
            stamps["decided_at"] = .text(FieldSchema.canonicalTime(input.now))
            if merged["decided_on"] == nil || merged["decided_on"] == .null { stamps["decided_on"] = .text(CalendarDate.text(input.now)) }
        }
        guard input.actor.origin == .member else { return .accept(stamping: stamps) }
        if let from, from != .proposed {
            return .reject("append_only", "A \(from.rawValue) decision is never edited; record a new decision that supersedes it.")
        }
        if to == .superseded {
            return .reject("invalid_status", "A decision becomes superseded only when a new decision supersedes it.")
        }
        let type = merged.text("decision_type") ?? ""
        let context = try await GovernanceContext.load(input)
        let role: RightRole = to == .decided ? .decide : .recommend
        let action = to == .decided ? "record a \(type) decision" : "propose a \(type) decision"
        if let refusal = context.refusal(role, type, scope: merged.text("scope"), doing: action, now: input.now) { return refusal }
        var followUps: [FollowUp] = []
        if to == .decided, let old = merged.reference("supersedes", into: CollectionSchema.decisions.name) {
            guard old != input.recordID, let superseded = try await input.view.record(CollectionSchema.decisions.name, old) else {
                return .reject("missing_reference", "The decision it supersedes does not exist.")
            }
            guard superseded.text("status") == DecisionStatus.decided.rawValue else {
                return .reject("invalid", "Only a decided decision can be superseded; that one is \(superseded.text("status") ?? "unknown").")
            }
            followUps.append(FollowUp(.update, CollectionSchema.decisions.name, old, [
                "status": .text(DecisionStatus.superseded.rawValue), "superseded_by": .reference(CollectionSchema.decisions.name, input.recordID),
            ]))
        }
        return .accept(stamping: stamps, followUps: followUps)
    }
}
