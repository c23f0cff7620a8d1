import AccordCore
import Foundation

/// One organization's live records as one transaction reads them, each collection read once however many views
/// ask for it: the standing, the governance data and the setup a pack is compared with share most of theirs.
final class OrganizationRecords {
    let org: UUID
    private let governance: GovernanceService
    private let tx: Transaction
    private var read: [String: [UUID: RecordFields]] = [:]

    init(_ org: UUID, governance: GovernanceService, in tx: Transaction) {
        self.org = org
        self.governance = governance
        self.tx = tx
    }

    func callAsFunction(_ collection: String) async throws -> [UUID: RecordFields] {
        if let records = read[collection] { return records }
        let records = try await governance.live(collection, org: org, in: tx)
        read[collection] = records
        return records
    }
}
