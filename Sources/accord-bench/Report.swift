import Foundation

/// One row of the results: Accord's figure, the same run's baseline, their ratio and the goal.
struct ScenarioResult: Codable, Sendable {
    var key: String
    var title: String
    /// `s` (durations), `ms` (latencies), `ops/s` (throughput).
    var unit: String
    var accord: Summary
    var baseline: Summary?
    /// Accord over the baseline, median to median (throughput: Accord's rate over the baseline's).
    var ratio: Double?
    /// For latencies: the p99 ratio as well.
    var ratioP99: Double?
    var goal: String
    var met: Bool
    var serverPeakRSS: Int
    var clientPeakRSS: Int
    var notes: [String]

    enum LatencyGoal {
        case ratio(Double)
        case absolute(p50: Double, p99: Double)
    }

    static func duration(
        key: String, title: String, accord: [JobResult], baseline: [JobResult], goalRatio: Double, clientRSSLimit: Int?, serverRSS: Int,
        notes: [String]
    ) -> ScenarioResult {
        let a = Summary(accord.flatMap(\.seconds)), b = Summary(baseline.flatMap(\.seconds))
        let ratio = b.median > 0 ? a.median / b.median : 0
        let clientRSS = accord.map(\.peakRSS).max() ?? 0
        var goal = "≤ \(goalRatio)×"
        var met = ratio <= goalRatio
        if let clientRSSLimit {
            goal += ", client ≤ \(clientRSSLimit >> 20) MB"
            met = met && clientRSS <= clientRSSLimit
        }
        return ScenarioResult(
            key: key, title: title, unit: "s", accord: a, baseline: b, ratio: ratio, goal: goal, met: met, serverPeakRSS: serverRSS,
            clientPeakRSS: clientRSS, notes: notes
        )
    }

    static func throughput(
        key: String, title: String, operations: Int, accord: [JobResult], baseline: [JobResult], goalRatio: Double, serverRSS: Int,
        notes: [String]
    ) -> ScenarioResult {
        let a = Summary(accord.flatMap(\.seconds).map { Double(operations) / $0 })
        let b = Summary(baseline.flatMap(\.seconds).map { Double(operations) / $0 })
        let ratio = b.median > 0 ? a.median / b.median : 0
        return ScenarioResult(
            key: key, title: title, unit: "ops/s", accord: a, baseline: b, ratio: ratio, goal: "≥ \(goalRatio)×", met: ratio >= goalRatio,
            serverPeakRSS: serverRSS, clientPeakRSS: accord.map(\.peakRSS).max() ?? 0, notes: notes
        )
    }

    static func latency(key: String, title: String, result: JobResult, goal: LatencyGoal, serverRSS: Int) -> ScenarioResult {
        let a = Summary(result.seconds.map { $0 * 1000 }), b = Summary(result.baseline.map { $0 * 1000 })
        let ratio = b.median > 0 ? a.median / b.median : 0
        let ratioP99 = b.p99 > 0 ? a.p99 / b.p99 : 0
        let (text, met): (String, Bool) = switch goal {
        // The goal holds for the median and for the slow tail alike.
        case .ratio(let limit): ("p50 and p99 ≤ \(limit)×", ratio <= limit && ratioP99 <= limit)
        case .absolute(let p50, let p99): ("p50 ≤ \(Int(p50 * 1000)) ms, p99 ≤ \(Int(p99 * 1000)) ms", a.median <= p50 * 1000 && a.p99 <= p99 * 1000)
        }
        return ScenarioResult(
            key: key, title: title, unit: "ms", accord: a, baseline: b, ratio: ratio, ratioP99: ratioP99, goal: text, met: met,
            serverPeakRSS: serverRSS, clientPeakRSS: result.peakRSS,
            notes: ["\(a.count) samples; p50 \(Report.millis(a.median)), p99 \(Report.millis(a.p99)); bare round trip p50 \(Report.millis(b.median)), p99 \(Report.millis(b.p99))."]
        )
    }

    static func fanOut(result: JobResult, connections: Int, serverRSS: Int) -> ScenarioResult {
        let a = Summary(result.seconds.map { $0 * 1000 })
        let streams = result.counts["streams"] ?? 0
        return ScenarioResult(
            key: "fan-out", title: "fan-out (\(Report.count(connections)) streams)", unit: "ms", accord: a, baseline: nil, ratio: nil,
            goal: "all ≤ 1 s, server ≤ 300 MB", met: streams == connections && a.max <= 1000 && serverRSS <= 300 << 20,
            serverPeakRSS: serverRSS, clientPeakRSS: result.peakRSS,
            notes: ["\(streams) streams opened in \(Report.duration(Double(result.counts["connectMillis"] ?? 0) / 1000)); time from the write's push until the last stream saw its poke."]
        )
    }
}

/// The results as an 80-column table, JSON and Markdown.
struct Report: Codable {
    var date = Date()
    var machine = Machine()
    var sizes: Sizes
    var smoke: Bool
    var results: [ScenarioResult]
    var command: String

    struct Machine: Codable {
        var cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        var cores = ProcessInfo.processInfo.activeProcessorCount
        var memoryGB = Int((Double(ProcessInfo.processInfo.physicalMemory) / 1e9).rounded())
    }

    init(sizes: Sizes, smoke: Bool, results: [ScenarioResult], command: String) {
        self.sizes = sizes
        self.smoke = smoke
        self.results = results
        self.command = command
    }

    func terminalTable() -> String {
        var lines = [
            "",
            pad("scenario", 24) + lpad("Accord", 9) + lpad("±/p99", 9) + lpad("baseline", 9) + lpad("ratio", 7) + lpad("srv MB", 7) + lpad("cli MB", 7) + "  goal",
            String(repeating: "-", count: 80),
        ]
        for result in results {
            lines.append(
                pad(String(result.title.prefix(23)), 24) + lpad(Self.value(result.accord.median, result.unit), 9)
                    + lpad(result.unit == "ms" ? Self.value(result.accord.p99, "ms") : String(format: "±%.0f%%", result.accord.spreadPercent), 9)
                    + lpad(result.baseline.map { Self.value($0.median, result.unit) } ?? "-", 9)
                    + lpad(result.ratio.map { String(format: "%.2f×", $0) } ?? "-", 7)
                    + lpad(Self.megabytes(result.serverPeakRSS), 7) + lpad(Self.megabytes(result.clientPeakRSS), 7)
                    + "  " + (result.met ? "met" : "MISSED")
            )
        }
        return lines.joined(separator: "\n")
    }

    func markdown() -> String {
        var text = """
            Run \(ISO8601DateFormatter().string(from: date)) on \(machine.cores) cores (\(machine.cpu)), \(machine.memoryGB) GB.
            Command: `\(command)`\(smoke ? " (smoke sizes: these figures mean nothing)" : "").
            Sizes: \(Self.count(sizes.rows)) rows, \(Self.count(sizes.changes)) changes, \(Self.count(sizes.pushMutations)) pushed mutations \
            (\(sizes.pushClients) clients, \(sizes.pushOrgs) orgs), \(sizes.samples) propagation samples, \(sizes.idleSamples) idle samples, \
            \(Self.count(sizes.connections)) streams, \(sizes.repetitions) repetitions.

            | scenario | Accord (median) | spread (of repetitions; latencies: the slowest sample) | baseline (median) | ratio | goal | met | server RSS | client RSS |
            |---|---:|---:|---:|---:|---|---|---:|---:|

            """
        for result in results {
            let accord = result.unit == "ms"
                ? "p50 \(Self.value(result.accord.median, result.unit)), p99 \(Self.value(result.accord.p99, result.unit))"
                : Self.value(result.accord.median, result.unit)
            let baseline = result.baseline.map { b in
                result.unit == "ms" ? "p50 \(Self.value(b.median, result.unit)), p99 \(Self.value(b.p99, result.unit))" : Self.value(b.median, result.unit)
            } ?? "—"
            var ratio = result.ratio.map { String(format: "%.2f×", $0) } ?? "—"
            if let p99 = result.ratioP99 { ratio += String(format: " (p99 %.2f×)", p99) }
            let spread = result.unit == "ms"
                ? "max \(Self.value(result.accord.max, result.unit))"
                : String(format: "±%.0f%% (%@–%@)", result.accord.spreadPercent, Self.value(result.accord.min, result.unit), Self.value(result.accord.max, result.unit))
            text += "| \(result.title) | \(accord) | \(spread) | \(baseline) | \(ratio) | \(result.goal) | \(result.met ? "yes" : "**no**") | \(Self.megabytes(result.serverPeakRSS)) MB | \(Self.megabytes(result.clientPeakRSS)) MB |\n"
        }
        text += "\n"
        for result in results { text += result.notes.map { "- \(result.title): \($0)\n" }.joined() }
        return text
    }

    /// Writes `<date>.json` and `<date>.md`, and the same as `latest.json` and `latest.md`.
    func write(to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(self)
        let markdown = Data(markdown().utf8)
        var written: [URL] = []
        for name in [stamp, "latest"] {
            let jsonURL = directory.appendingPathComponent("\(name).json"), markdownURL = directory.appendingPathComponent("\(name).md")
            try json.write(to: jsonURL)
            try markdown.write(to: markdownURL)
            written += [jsonURL, markdownURL]
        }
        return written
    }

    static func oneLine(_ result: ScenarioResult) -> String {
        let ratio = result.ratio.map { String(format: ", %.2f× the baseline", $0) } ?? ""
        return "\(result.key): \(value(result.accord.median, result.unit))\(ratio); goal \(result.met ? "met" : "MISSED")"
    }

    static func value(_ value: Double, _ unit: String) -> String {
        switch unit {
        case "s": duration(value)
        case "ms": millis(value)
        default: rate(value)
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds >= 10 ? String(format: "%.1f s", seconds) : seconds >= 1 ? String(format: "%.2f s", seconds) : String(format: "%.0f ms", seconds * 1000)
    }

    static func millis(_ millis: Double) -> String {
        millis >= 100 ? String(format: "%.0f ms", millis) : millis >= 10 ? String(format: "%.1f ms", millis) : String(format: "%.2f ms", millis)
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 10_000 ? String(format: "%.0fk/s", perSecond / 1000) : String(format: "%.0f/s", perSecond)
    }

    static func count(_ count: Int) -> String {
        count >= 1000 && count % 1000 == 0 ? "\(count / 1000)k" : String(count)
    }

    static func megabytes(_ bytes: Int) -> String { String(bytes >> 20) }

    private func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
    private func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
