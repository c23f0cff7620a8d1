import AccordCore
import Foundation
import Hummingbird
import PostgresNIO

/// Imports measurements from a CSV or NDJSON body as it streams in: every row is checked, and the good ones are
/// recorded in batches through the write path's bulk create in the caller's transaction (a changed value
/// supersedes the measurement in force, an equal one changes nothing). The bad ones are reported with their
/// lines. Unless the caller asks for a partial import, one bad row stops the whole file: the transaction is
/// rolled back. Memory stays flat: the body, the batch and the report's first problems are all it holds.
struct MeasurementImporter: Sendable {
    let records: RecordService
    let governance: GovernanceService
    /// Rows recorded together (`ServerConfiguration.importBatchSize`).
    let batchSize: Int

    /// The report of a file whose bad rows stopped it; nothing was recorded.
    struct Refused: Error {
        var report: ImportReport
    }

    func run(
        _ body: RequestBody, format: ImportFormat, partial: Bool, access: OrganizationAccess, in tx: Transaction
    ) async throws -> ImportReport {
        let org = access.organization.id
        guard let head = try await tx.first("SELECT last_seq FROM sync_heads WHERE org_id = \(org) FOR UPDATE", as: Int64.self) else {
            throw APIError.organizationNotFound(org.lowercasedText)
        }
        // A batch's statements carry thousands of rows, which PostgreSQL's planner judges worth compiling to
        // machine code; compiling takes longer than running them, batch after batch.
        try await tx.query("SET LOCAL jit = off")
        let kpis = try await governance.live(CollectionSchema.kpis.name, org: org, in: tx).compactMap { KPI(id: $0.key, fields: $0.value) }
        let settings = OrganizationSettings(records: try await governance.live(CollectionSchema.organizationSettings.name, org: org, in: tx))
        var batch = Batch(
            path: records.path, actor: access.actor(.member), writer: ChangeWriter(org: org, lockedHead: head, in: tx),
            view: ServerRecordView(catalog: records.catalog, org: org, tx: tx)
        )
        // The measurement rules look up each row's KPI, its definition and the settings; read them once.
        for collection in [CollectionSchema.kpis, .definitions, .organizationSettings] {
            _ = try await batch.view.records(collection.name, matching: [:])
        }
        var reader = MeasurementImportReader(format: format, kpis: kpis, settings: settings)
        var report = ImportReport()
        var drafts: [MeasurementDraft] = []
        func take(_ results: [Result<MeasurementDraft, ImportProblem>]) async throws {
            for result in results {
                report.rows += 1
                switch result {
                case .failure(let problem):
                    report.add(problem)
                case .success(let draft):
                    // Once the file is known to be refused, the rest is only checked.
                    guard report.rejected == 0 || (partial && !reader.unreadable) else { continue }
                    drafts.append(draft)
                    if drafts.count == batchSize {
                        try await batch.record(drafts, report: &report)
                        drafts = []
                    }
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
        // The last rows meet the rules before the file is judged: a rule may refuse them too.
        if report.rejected == 0 || (partial && !reader.unreadable) { try await batch.record(drafts, report: &report) }
        // A partial import takes the good rows; one without any has nothing to take. Refusing rolls back.
        let nothingGood = report.created + report.superseded + report.unchanged == 0
        if report.rejected > 0 && (!partial || reader.unreadable || nothingGood) {
            throw Refused(report: report.refused)
        }
        report.applied = report.created + report.superseded > 0
        return report
    }

    /// The write path's state across an import's batches.
    private struct Batch {
        let path: WritePath
        let actor: RuleActor
        var writer: ChangeWriter
        let view: ServerRecordView

        /// Records the drafts whose value differs from the one in force, superseding it, and logs them.
        mutating func record(_ drafts: [MeasurementDraft], report: inout ImportReport) async throws {
            guard !drafts.isEmpty else { return }
            let inForce = try await valuesInForce(for: drafts)
            var creates: [FollowUp] = []
            var changed: [(draft: MeasurementDraft, supersedes: Bool)] = []
            for draft in drafts {
                let current = inForce[draft.key]
                if let current, current.value == draft.value, current.numerator == draft.numerator, current.denominator == draft.denominator {
                    report.unchanged += 1
                    continue
                }
                creates.append(FollowUp(.create, CollectionSchema.measurements.name, UUID(), draft.fields(supersedes: current?.id)))
                changed.append((draft, current != nil))
            }
            let results = try await path.create(creates, actor: actor, view: view, writer: &writer)
            for (result, entry) in zip(results, changed) {
                switch result {
                case .success where entry.supersedes: report.superseded += 1
                case .success: report.created += 1
                case .failure(let rejection): report.add(ImportProblem(line: entry.draft.line, reason: rejection.reason))
                }
            }
            try await writer.finish()
        }

        /// The measurement in force for each draft's KPI, period and segment: the latest recorded one that no
        /// other supersedes, as `Actuals` picks it. One query a batch for the segmented rows and one for the
        /// rest, each looking every row up on the measurements' key index rather than scanning them.
        private func valuesInForce(for drafts: [MeasurementDraft]) async throws -> [Actuals.Key: InForce] {
            var found: [Actuals.Key: InForce] = [:]
            for segmented in [true, false] {
                let rows = drafts.filter { ($0.segment != nil) == segmented }
                guard !rows.isEmpty else { continue }
                let kpis = rows.map { "\(CollectionSchema.kpis.name)/\($0.kpi.lowercasedText)" }
                let segments = rows.map { $0.segment ?? "" }
                let query: PostgresQuery = """
                    SELECT m.id, k.kpi, k.period, k.segment, m.value, m.numerator, m.denominator
                    FROM unnest(\(kpis)::text[], \(rows.map(\.period))::text[], \(segments)::text[]) AS k (kpi, period, segment)
                    CROSS JOIN LATERAL (
                        SELECT m.id, m.value, m.numerator, m.denominator FROM measurements m
                        WHERE m.org_id = \(writer.org) AND m.kpi = k.kpi AND m.period = k.period AND m.deleted_seq IS NULL
                          AND \(unescaped: segmented ? "m.segment = k.segment::jsonb" : "m.segment IS NULL")
                          AND NOT EXISTS (SELECT 1 FROM measurements s WHERE s.org_id = m.org_id AND s.supersedes = 'measurements/' || m.id
                                          AND s.deleted_seq IS NULL)
                        -- Replicas and `Actuals` read the time to the millisecond, ties going to the greater id.
                        ORDER BY date_trunc('milliseconds', m.recorded_at + interval '500 microseconds') DESC NULLS LAST, m.id DESC LIMIT 1
                    ) AS m
                    """
                for (id, kpi, period, segment, value, numerator, denominator) in try await writer.tx.rows(query, as: (UUID, String, String, String, Double, Double?, Double?).self) {
                    guard let kpi = UUID(uuidString: String(kpi.split(separator: "/").last ?? "")) else { continue }
                    found[Actuals.Key(kpi: kpi, period: period, segment: segment.isEmpty ? nil : segment)] = InForce(
                        id: id, value: value, numerator: numerator, denominator: denominator
                    )
                }
            }
            return found
        }

        /// The numbers of a measurement in force, which a row must differ from to supersede it.
        private struct InForce {
            var id: UUID
            var value: Double
            var numerator: Double?
            var denominator: Double?
        }
    }
}
