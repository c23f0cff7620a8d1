/// `POST /v1/orgs/{org}/reviews`: the cadence, and the period reviewed (the last complete one when absent).
public struct ReviewRequest: Codable, Sendable, Equatable {
    public var cadence: ReviewCadence
    public var period: String?

    public init(cadence: ReviewCadence, period: String? = nil) {
        self.cadence = cadence
        self.period = period
    }
}

/// `POST /v1/orgs/{org}/reviews/{review}/items/{item}/decide`: the outcome, why, and what it changes (a play's
/// own item changes its play by default).
public struct ReviewDecisionRequest: Codable, Sendable, Equatable {
    public var outcome: ReviewOutcome
    public var rationale: String
    public var changes: String?

    public init(outcome: ReviewOutcome, rationale: String, changes: String? = nil) {
        self.outcome = outcome
        self.rationale = rationale
        self.changes = changes
    }
}

/// `POST /v1/orgs/{org}/reviews/{review}/close`: what the review concluded.
public struct ReviewCloseRequest: Codable, Sendable, Equatable {
    public var summary: String

    public init(summary: String) {
        self.summary = summary
    }
}
