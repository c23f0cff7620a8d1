public import Foundation

/// The workflow steps on a proposal, each one record change.
public enum ProposalAction: String, Sendable, CaseIterable {
    case consent, object, comment, approve, reject, withdraw

    public func change(_ proposal: UUID, comment: String?, by member: UUID, responses: [UUID: RecordFields]) -> FollowUp {
        let versions = CollectionSchema.definitionVersions.name
        switch self {
        case .consent, .object, .comment:
            let id = ProposalResponse.id(proposal: proposal, member: member)
            let fields: RecordFields = ["proposal": .reference(versions, proposal), "stance": .text(rawValue), "comment": comment.map(FieldValue.text) ?? .null]
            return FollowUp(responses[id] == nil ? .create : .update, CollectionSchema.proposalResponses.name, id, fields)
        case .approve, .reject, .withdraw:
            let status: ProposalStatus = self == .approve ? .approved : self == .reject ? .rejected : .withdrawn
            var fields: RecordFields = ["status": .text(status.rawValue)]
            if let comment, self != .withdraw { fields["decision_note"] = .text(comment) }
            return FollowUp(.update, versions, proposal, fields)
        }
    }
}
