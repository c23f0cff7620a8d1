public import AccordCore
public import Foundation

/// Strategy on the replica: the same board the server computes, and the moves of a play, judged at once and
/// queued for the server to judge again.
extension Replica {
    public func strategyBoard(asOf: Date = Date()) async throws -> StrategyBoard {
        let spine = try await kpiSpine(asOf: asOf)
        return try await StrategyBoard.compute(spine: spine) { name in try records(name).reduce(into: [:]) { $0[$1.id] = $1.fields } }
    }

    /// The alignment report, as the server would compute it from the same records.
    public func alignment(asOf: Date = Date()) async throws -> AlignmentReport {
        let spine = try await kpiSpine(asOf: asOf)
        let load: (String) throws -> [UUID: RecordFields] = { name in try self.records(name).reduce(into: [:]) { $0[$1.id] = $1.fields } }
        return try await AlignmentReport.compute(spine: spine, board: try await StrategyBoard.compute(spine: spine, load: load), load: load)
    }

    /// Where the organization stands for this member, as the server's portfolio computes it.
    public func standing(now: Date = Date()) async throws -> OrgStanding {
        OrgStanding.compute(
            spine: try await kpiSpine(asOf: now), reviews: try reviews(), proposals: try await governanceData().openProposals, waiting: try await inbox(now: now)
        )
    }

    /// The play a person names by name (case-insensitive) or id.
    public func play(_ name: String, in board: StrategyBoard) throws -> StrategyBoard.PlayLine {
        if let play = board.plays.first(where: { $0.id.lowercasedText == name.lowercased() }) { return play }
        let named = board.plays.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        guard named.count <= 1 else {
            throw ClientError.invalidInput("\(named.count) plays are called '\(name)'; name one by its id: \(named.map(\.id.lowercasedText).joined(separator: ", "))")
        }
        guard let play = named.first else {
            let names = board.plays.map(\.name)
            throw ClientError.notFound("there is no play '\(name)'; \(names.isEmpty ? "there are none in this replica yet" : "the plays are \(names.joined(separator: ", "))")")
        }
        return play
    }

    /// Moves a play to `status`, with the rationale the decision log keeps.
    public func move(_ play: StrategyBoard.PlayLine, to status: PlayStatus, rationale: String?) async throws -> LocalWrite {
        var fields: RecordFields = ["status": .text(status.rawValue)]
        if let rationale { fields["rationale"] = .text(rationale) }
        return try await update(CollectionSchema.plays.name, play.id, fields)
    }
}
