public import Foundation

/// A read-only view of one organization's records, for rules. The server reads through its push transaction,
/// which holds the organization's head lock; a replica reads its local tables, pending changes included.
public protocol RecordView: Sendable {
    /// The live record, or nil when there is none or it is deleted.
    func record(_ collection: String, _ id: UUID) async throws -> RecordFields?
    /// The live records of a collection whose fields hold every value of `matching` (all of them when it is
    /// empty), by id.
    func records(_ collection: String, matching: RecordFields) async throws -> [UUID: RecordFields]
}
