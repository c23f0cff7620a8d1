/// A problem with one named field of an input, phrased for the person who sent it.
public struct FieldError: Error, Codable, Sendable, Equatable {
    /// The field's name as the input spells it, for example `email` or `members[2].role`.
    public var field: String
    /// What is wrong and what is expected.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
