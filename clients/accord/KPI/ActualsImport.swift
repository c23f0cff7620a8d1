import AccordClient
import AccordCore
import ArgumentParser
import Foundation

extension ActualsCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import actuals from a CSV (with a header: kpi,period,value[,segment,source,numerator,denominator]) or NDJSON file.",
            discussion: "The file is checked against this replica's KPIs first; bad lines are reported and nothing is queued unless --partial. A row equal to the value in force changes nothing; a different one supersedes it. accord sync sends the rest."
        )

        @Argument(help: "The file (.csv, .ndjson or .jsonl).")
        var file: String

        @Option(help: "csv or ndjson (default: from the file's extension).")
        var format: String?

        @Flag(help: "Queue the good rows even when some are bad.")
        var partial = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reporting {
                let chosen = try importFormat()
                let replica = try options.openReplica()
                defer { try? replica.close() }
                let spine = try await replica.kpiSpine(asOf: .distantFuture)
                var report = ImportReport()
                // Two passes over the file, so a file of any size is checked whole before anything is queued.
                try forEachRow(chosen, spine) { result in
                    report.rows += 1
                    if case .failure(let problem) = result { report.add(problem) }
                }
                for problem in report.problems.prefix(50) { FileHandle.standardError.write(Data("line \(problem.line): \(problem.reason)\n".utf8)) }
                if report.rejected > 50 { FileHandle.standardError.write(Data("… and \(report.rejected - 50) more bad lines\n".utf8)) }
                guard report.rejected == 0 || partial else {
                    throw ClientError.invalidInput("\(report.rejected) of \(report.rows) rows are bad; nothing was queued. Fix them, or add --partial to queue the good rows.")
                }
                var drafts: [MeasurementDraft] = []
                try forEachRow(chosen, spine) { result in
                    if case .success(let draft) = result { drafts.append(draft) }
                }
                for (index, draft) in drafts.enumerated() {
                    let current = spine.actuals.value(draft.kpi, draft.period, segment: draft.segment)
                    if let current, current.value == draft.value, current.numerator == draft.numerator, current.denominator == draft.denominator {
                        report.unchanged += 1
                    } else {
                        try await replica.create(CollectionSchema.measurements.name, draft.fields(supersedes: current?.id))
                        if current == nil { report.created += 1 } else { report.superseded += 1 }
                    }
                    if index % 500 == 499 { Terminal.progress("queueing", done: Int64(index + 1), total: Int64(drafts.count)) }
                }
                if drafts.count >= 500 { Terminal.endProgress() }
                report.applied = report.created + report.superseded > 0
                if options.json { return try printJSON(report) }
                try printQueued(replica, "\(report.created) new, \(report.superseded) corrected, \(report.unchanged) unchanged\(report.rejected == 0 ? "" : ", \(report.rejected) bad rows skipped")")
            }
        }

        private func importFormat() throws -> ImportFormat {
            if let format {
                guard let known = ImportFormat(rawValue: format) else { throw ValidationError("--format must be csv or ndjson") }
                return known
            }
            switch URL(fileURLWithPath: file).pathExtension.lowercased() {
            case "csv": return .csv
            case "ndjson", "jsonl": return .ndjson
            default: throw ValidationError("say --format csv or --format ndjson for \(file)")
            }
        }

        /// Reads the file in pieces and hands each checked row to `body`.
        private func forEachRow(_ format: ImportFormat, _ spine: KPISpine, _ body: (Result<MeasurementDraft, ImportProblem>) throws -> Void) throws {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw ClientError.invalidInput("cannot read \(file)") }
            defer { try? handle.close() }
            var reader = MeasurementImportReader(format: format, kpis: Array(spine.kpis.values), settings: spine.settings)
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                for result in reader.feed(chunk) { try body(result) }
            }
            for result in reader.finish() { try body(result) }
        }
    }
}
