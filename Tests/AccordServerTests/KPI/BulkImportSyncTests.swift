import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

/// A bulk import writes its rows with one COPY a batch instead of the write path's one insert each; a replica
/// must not be able to tell: every row is a logged change, stamped by the rules, in the collection's checksum.
@Suite("Bulk imports reach replicas like any other change", .timeLimit(.minutes(5)))
struct BulkImportSyncTests {
    /// Rows the server records together here: small, so a small file spans several batches.
    static let batchSize = 100

    /// Every month from 2025 to 2026 for 20 sales regions: more rows than four import batches.
    static func file(changing changed: (period: String, region: Int)? = nil) -> (csv: String, rows: Int) {
        var lines = ["kpi,period,segment,value,source"]
        for year in 2025...2026 {
            for month in 1...12 {
                let period = "\(year)-\(month < 10 ? "0" : "")\(month)"
                for region in 1...20 {
                    let value = changed.map { $0.period == period && $0.region == region } == true ? 1 : month * 100 + region
                    lines.append("mqls,\(period),region=R\(region),\(value),Warehouse")
                }
            }
        }
        return (lines.joined(separator: "\n") + "\n", lines.count - 1)
    }

    @Test func importedRowsSyncWithMatchingChecksumsAndAChangedRowSupersedesOnlyItsNumber() async throws {
        try await LiveServer.with(tune: { $0.importBatchSize = Self.batchSize }) { live in
            let (token, owner) = try await live.signup("olu@example.com")
            let org = try await live.createOrganization("acme", token: token)
            let side = try TestReplica(live, token: token, org: org.id, actor: RuleActor(userID: owner.id, role: .owner))
            defer { side.remove() }
            let mqls = try await side.replica.create("kpis", DashboardParityTests.kpi("mqls", "MQLs")).id
            try await side.sync()

            let (csv, rows) = Self.file()
            #expect(rows > 4 * Self.batchSize, "the file spans several import batches")
            let first = try await live.answer("POST", "v1/orgs/acme/measurements/import?format=csv", token: token, json: csv)
            #expect(first.status == 200, "\(first.body.prefix(500))")
            let pulled = try await side.sync()
            #expect(pulled.pulled == rows && pulled.verified && !pulled.recountedChecksums, "\(pulled)")
            let spine = try await side.replica.kpiSpine(asOf: .distantFuture)
            #expect(spine.actuals.all.count == rows)
            #expect(spine.actuals.all.allSatisfy { $0.recordedAt != nil }, "the measurement rule stamped every imported row")

            let (changed, _) = Self.file(changing: ("2026-08", 7))
            let second = try await live.answer("POST", "v1/orgs/acme/measurements/import?format=csv", token: token, json: changed)
            let report = try SyncCoding.decoder().decode(ImportReport.self, from: Data(second.body.utf8))
            #expect(report.superseded == 1 && report.unchanged == rows - 1 && report.created == 0, "\(report)")
            let again = try await side.sync()
            #expect(again.pulled == 1 && again.verified && !again.recountedChecksums, "\(again)")
            let corrected = try await side.replica.kpiSpine(asOf: .distantFuture).actuals.value(mqls, "2026-08", segment: #"{"region":"R7"}"#)
            #expect(corrected?.value == 1 && corrected?.supersedes != nil)
        }
    }
}
