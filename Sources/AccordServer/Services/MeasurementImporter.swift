import AccordCore
import Foundation
import Hummingbird
import PostgresNIO

/// Imports measurements from a CSV or NDJSON body as it streams in: every row is checked, the good ones are
/// recorded through the write path in the caller's transaction (a changed value supersedes the measurement in
/// force, an equal one changes nothing), and the bad ones are reported with their lines. Unless the caller
/// asks for a partial import, one bad row stops the whole file: the transaction is rolled back.
struct MeasurementImporter: Sendable {
    let records: RecordService
    let governance: GovernanceService

    /// The report of a file whose bad rows stopped it; nothing was recorded.
    struct Refused: Error {
        var report: ImportReport
    }

    func run(
        _ body: RequestBody, format: ImportFormat, partial: Bool, access: OrganizationAccess, in tx: Transaction
    ) async throws -> ImportReport {
        let org = access.organization.id
        let kpis = try await governance.live(CollectionSchema.kpis.name, org: org, in: tx).compactMap { KPI(id: $0.key, fields: $0.value) }
        let settings = OrganizationSettings(records: try await governance.live(CollectionSchema.organizationSettings.name, org: org, in: tx))
        let actuals = Actuals(records: try await governance.live(CollectionSchema.measurements.name, org: org, in: tx))
        var reader = MeasurementImportReader(format: format, kpis: kpis, settings: settings)
        var report = ImportReport()
        func take(_ results: [Result<MeasurementDraft, ImportProblem>]) async throws {
            for result in results {
                report.rows += 1
                switch result {
                case .failure(let problem):
                    report.problems.append(problem)
                case .success(let draft):
                    // Once the file is known to be refused, the rest is only checked.
                    guard report.problems.isEmpty || (partial && !reader.unreadable) else { continue }
                    try await record(draft, current: actuals.value(draft.kpi, draft.period, segment: draft.segment), access: access, in: tx, report: &report)
                }
            }
        }
        var received = 0
        for try await buffer in body {
            received += buffer.readableBytes
            try await take(reader.feed(buffer.readableBytesView))
        }
        guard received > 0 else {
            throw APIError.invalid(FieldError(field: "body", message: "is empty; send CSV with a header row (kpi,period,value,...) or NDJSON"))
        }
        try await take(reader.finish())
        // A partial import takes the good rows; one without any has nothing to take.
        let nothingGood = report.problems.count == report.rows
        if !report.problems.isEmpty && (!partial || reader.unreadable || nothingGood) {
            var refused = ImportReport()
            refused.rows = report.rows
            refused.problems = report.problems
            throw Refused(report: refused)
        }
        report.applied = report.created + report.superseded > 0
        return report
    }

    private func record(
        _ draft: MeasurementDraft, current: RecordedMeasurement?, access: OrganizationAccess, in tx: Transaction, report: inout ImportReport
    ) async throws {
        if let current, current.value == draft.value, current.numerator == draft.numerator, current.denominator == draft.denominator {
            report.unchanged += 1
            return
        }
        do {
            _ = try await records.write(
                FollowUp(.create, CollectionSchema.measurements.name, UUID(), draft.fields(supersedes: current?.id)), ifMatch: nil, access: access, in: tx
            )
            if current == nil { report.created += 1 } else { report.superseded += 1 }
        } catch let error as APIError {
            report.problems.append(ImportProblem(line: draft.line, reason: error.message))
        }
    }
}
