/// `POST /v1/orgs/{org}/reviews`: the cadence, and the period reviewed (the last complete one when absent).
public struct ReviewRequest: Codable, Sendable, Equatable {
    public var cadence: ReviewCadence
    public var period: String?

    public init(cadence: ReviewCadence, period: String? = nil) {
        self.cadence = cadence
        self.period = period
    }
}
