public import Foundation

/// One row of an import, checked: a measurement to record.
public struct MeasurementDraft: Sendable, Equatable {
    public var line: Int
    public var kpi: UUID
    public var period: String
    /// Canonical JSON of the segment, or nil for the whole organization.
    public var segment: String?
    public var value: Double
    public var numerator: Double?
    public var denominator: Double?
    public var source: String?

    public var key: Actuals.Key { Actuals.Key(kpi: kpi, period: period, segment: segment) }

    /// The measurement's fields; `supersedes` names the one it corrects.
    public func fields(supersedes: UUID?) -> RecordFields {
        var fields: RecordFields = ["kpi": .reference(CollectionSchema.kpis.name, kpi), "period": .text(period), "value": .double(value)]
        if let segment { fields["segment"] = .text(segment) }
        if let numerator { fields["numerator"] = .double(numerator) }
        if let denominator { fields["denominator"] = .double(denominator) }
        if let source { fields["source"] = .text(source) }
        if let supersedes { fields["supersedes"] = .reference(CollectionSchema.measurements.name, supersedes) }
        return fields
    }
}

/// A row an import refuses, with its line and why.
public struct ImportProblem: Sendable, Equatable, Codable, Error {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// What an import did, or would do.
public struct ImportReport: Sendable, Equatable, Codable {
    /// A report lists this many problems at most, so a file of a million bad rows cannot fill the memory of the
    /// server or the screen; `rejected` counts them all.
    public static let maxProblems = 1_000

    public var rows = 0
    public var created = 0
    public var superseded = 0
    public var unchanged = 0
    /// How many rows were refused.
    public var rejected = 0
    /// The first refused rows, by line.
    public var problems: [ImportProblem] = []
    /// Whether anything was recorded: false when bad rows stopped the whole file.
    public var applied = false

    public init() {}

    public mutating func add(_ problem: ImportProblem) {
        rejected += 1
        if problems.count < Self.maxProblems { problems.append(problem) }
    }

    /// The report of a file its bad rows stopped: what was read and what was wrong, nothing recorded.
    public var refused: ImportReport {
        var report = ImportReport()
        report.rows = rows
        report.rejected = rejected
        report.problems = problems
        return report
    }
}

public enum ImportFormat: String, Sendable, Codable {
    case csv, ndjson
}

/// Reads an import as its bytes arrive, CSV with a header row or NDJSON, checking each row against the
/// organization's KPIs: a known KPI key, a period of its grain, a number, and no row twice in the file.
public struct MeasurementImportReader: Sendable {
    public static let columns = ["kpi", "period", "value", "segment", "source", "numerator", "denominator"]

    private let format: ImportFormat
    private let kpis: [String: KPI]
    private let settings: OrganizationSettings
    private var csv = CSVRows()
    private var header: [String]?
    private var pending: [UInt8] = []
    private var line = 0
    /// The line of each KPI, period and segment read so far, by a 64-bit hash of the three: a million rows take
    /// some 30 MB rather than the hundreds their text would. Two different rows share a hash with odds of about
    /// three in 10^8 for a million-row file; such a row would be reported as a duplicate, never lost silently.
    private var seen: [Int: Int32] = [:]
    private var segments: [String: (source: String, canonical: String)] = [:]
    /// Whether the file cannot be read at all (an empty file or a bad header): no partial import can help.
    public private(set) var unreadable = false

    public init(format: ImportFormat, kpis: [KPI], settings: OrganizationSettings) {
        self.format = format
        self.kpis = Dictionary(kpis.map { ($0.key, $0) }) { first, _ in first }
        self.settings = settings
    }

    /// The rows completed by `bytes`, each checked.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Result<MeasurementDraft, ImportProblem>] {
        switch format {
        case .csv: return csv.feed(bytes).compactMap { csvRow($0) }
        case .ndjson:
            var results: [Result<MeasurementDraft, ImportProblem>] = []
            for byte in bytes {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    if let result = jsonLine(pending, line: line) { results.append(result) }
                    pending.removeAll(keepingCapacity: true)
                } else {
                    pending.append(byte)
                }
            }
            return results
        }
    }

    /// The last row, when the input does not end with a line break, and a problem when it had no rows at all.
    public mutating func finish() -> [Result<MeasurementDraft, ImportProblem>] {
        switch format {
        case .csv:
            let last = csv.finish().flatMap { csvRow($0) }.map { [$0] } ?? []
            if header == nil { unreadable = true }
            return header == nil ? [.failure(ImportProblem(line: 1, reason: "the file is empty; its first line names the columns: \(Self.columns.joined(separator: ","))"))] : last
        case .ndjson:
            defer { pending.removeAll() }
            return jsonLine(pending, line: line + 1).map { [$0] } ?? []
        }
    }

    private mutating func csvRow(_ row: CSVRows.Row) -> Result<MeasurementDraft, ImportProblem>? {
        guard let header else {
            let names = row.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            self.header = names
            if let unknown = names.first(where: { !Self.columns.contains($0) }) {
                unreadable = true
                return .failure(ImportProblem(line: row.line, reason: "unknown column '\(unknown)'; the columns are \(Self.columns.joined(separator: ","))"))
            }
            for required in ["kpi", "period", "value"] where !names.contains(required) {
                unreadable = true
                return .failure(ImportProblem(line: row.line, reason: "the header has no '\(required)' column"))
            }
            return nil
        }
        guard row.fields.count == header.count else {
            return .failure(ImportProblem(line: row.line, reason: "\(row.fields.count) fields where the header names \(header.count)"))
        }
        let values = Dictionary(zip(header, row.fields)) { first, _ in first }.filter { !$0.value.isEmpty }
        return check(values, line: row.line)
    }

    private mutating func jsonLine(_ bytes: [UInt8], line: Int) -> Result<MeasurementDraft, ImportProblem>? {
        guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            return .failure(ImportProblem(line: line, reason: "not a JSON object"))
        }
        var values: [String: String] = [:]
        for (name, value) in object {
            guard Self.columns.contains(name) else { return .failure(ImportProblem(line: line, reason: "unknown field '\(name)'")) }
            switch value {
            case let text as String: values[name] = text
            case let number as NSNumber: values[name] = number.stringValue
            case let segment as [String: Any] where name == "segment":
                values[name] = String(decoding: (try? JSONSerialization.data(withJSONObject: segment, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
            case is NSNull: continue
            default: return .failure(ImportProblem(line: line, reason: "\(name) must be text or a number"))
            }
        }
        return check(values, line: line)
    }

    private mutating func check(_ values: [String: String], line: Int) -> Result<MeasurementDraft, ImportProblem> {
        func problem(_ reason: String) -> Result<MeasurementDraft, ImportProblem> { .failure(ImportProblem(line: line, reason: reason)) }
        guard let key = values["kpi"]?.trimmingCharacters(in: .whitespaces), let kpi = kpis[key.lowercased()] else {
            return problem("unknown KPI '\(values["kpi"] ?? "")'")
        }
        guard let text = values["period"]?.trimmingCharacters(in: .whitespaces), let period = settings.period(text) else {
            return problem("bad period '\(values["period"] ?? "")': spell it like \(Period.spelling)")
        }
        guard period.grain == kpi.grain else { return problem("\(kpi.key) is measured by \(kpi.grain.rawValue); \(text) is a \(period.grain.rawValue)") }
        guard let value = values["value"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), value.isFinite else {
            return problem("value '\(values["value"] ?? "")' is not a number")
        }
        var parts: [Double?] = []
        for name in ["numerator", "denominator"] {
            guard let raw = values[name] else { parts.append(nil); continue }
            guard let number = Double(raw.trimmingCharacters(in: .whitespaces)), number.isFinite else { return problem("\(name) '\(raw)' is not a number") }
            parts.append(number)
        }
        var segment: String?
        if let raw = values["segment"] {
            // A file repeats a few segments on every row; each is spelled once (by its bytes: strings that differ
            // only in Unicode normalization are equal keys).
            let known = segments[raw].flatMap { $0.source.utf8.elementsEqual(raw.utf8) ? $0.canonical : nil }
            guard let parsed = known ?? Self.segment(raw) else { return problem("segment '\(raw)' is neither region=EMEA;tier=1 nor a JSON object") }
            if known == nil && segments.count < 10_000 { segments[raw] = (raw, parsed) }
            segment = parsed
        }
        let draft = MeasurementDraft(
            line: line, kpi: kpi.id, period: period.description, segment: segment, value: value, numerator: parts[0], denominator: parts[1],
            source: values["source"]
        )
        if let first = seen.updateValue(Int32(clamping: line), forKey: draft.key.hashValue) {
            return problem("duplicate of line \(first): \(kpi.key) \(period.description)\(segment.map { " \($0)" } ?? "") appears twice in the file")
        }
        return .success(draft)
    }

    /// `region=EMEA;tier=1` or a JSON object, as canonical JSON.
    static func segment(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{") { return CanonicalJSON.canonical(trimmed) }
        var object: [String: String] = [:]
        for pair in trimmed.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            object[parts[0]] = parts[1]
        }
        guard !object.isEmpty, let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return CanonicalJSON.canonical(String(decoding: data, as: UTF8.self))
    }
}
