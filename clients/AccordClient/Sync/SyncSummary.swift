import AccordCore
/// What one sync round did.
public struct SyncSummary: Sendable, Codable, Equatable {
    public var pushed = 0
    public var applied = 0
    public var merged = 0
    public var conflicts = 0
    public var rejected = 0
    /// Changes pulled from the server.
    public var pulled = 0
    /// Records received in snapshots.
    public var snapshotRecords = 0
    /// Whether the replica's checksums were proven equal to the server's.
    public var verified = false
    /// The cursor after the round.
    public var cursor: Int64 = 0
    /// Whether the replica's running checksums disagreed with the server's and were counted again from its rows.
    public var recountedChecksums = false
    /// Whether the outbox was renumbered to follow the server: the replica had lost part of its history, or
    /// had changes refused before the server kept count of them.
    public var renumbered = false

    // The recount and the renumbering are this round's diagnostics, not part of the summary kept in the replica.
    private enum CodingKeys: String, CodingKey {
        case pushed, applied, merged, conflicts, rejected, pulled, snapshotRecords, verified, cursor
    }

    public init() {}

    /// Whether the round left conflicts or rejections to look at.
    public var needsAttention: Bool { conflicts > 0 || rejected > 0 }

    mutating func count(_ result: MutationResult) {
        pushed += 1
        switch result.outcome {
        case .applied: applied += 1
        case .merged: merged += 1
        case .conflict: conflicts += 1
        case .rejected: rejected += 1
        }
    }
}

/// Progress of a long step, for a progress bar.
public struct SyncProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case pushing, pulling, snapshot
    }

    public var phase: Phase
    public var done: Int64
    /// The expected total, when known.
    public var total: Int64?
}
