/// The one JSON shape of every error the server answers: `{"error": {"code", "message", "details"}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Payload: Codable, Sendable, Equatable {
        /// A stable machine-readable code, such as `not_found` or `validation_failed`.
        public var code: String
        /// A sentence a person can read and act on.
        public var message: String
        /// Structured context: the offending field, the request id, the retry delay.
        public var details: [String: String]

        public init(code: String, message: String, details: [String: String] = [:]) {
            self.code = code
            self.message = message
            self.details = details
        }
    }

    public var error: Payload

    public init(code: String, message: String, details: [String: String] = [:]) {
        self.error = Payload(code: code, message: message, details: details)
    }
}
