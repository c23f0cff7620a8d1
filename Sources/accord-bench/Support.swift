import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A progress line on standard error, so standard output stays for results.
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func seconds(_ duration: Duration) -> Double {
    let (s, attoseconds) = duration.components
    return Double(s) + Double(attoseconds) / 1e18
}

/// Peak resident memory of a process, from Linux's `/proc/<pid>/status`.
enum Memory {
    /// VmHWM in bytes; 0 where /proc is missing.
    static func peakRSS(of pid: Int32? = nil) -> Int {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }

    /// Starts a new peak at the current resident size (writing 5 to clear_refs), so one phase can be measured.
    static func resetPeak(of pid: Int32? = nil) {
        let path = "/proc/\(pid.map(String.init) ?? "self")/clear_refs"
        try? "5".write(toFile: path, atomically: false, encoding: .utf8)
    }
}

/// Lets this process hold as many sockets as the hard limit allows (the fan-out holds 10,000).
func raiseFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

func fileLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    return Int(limit.rlim_cur)
}

/// A child process of this benchmark, reading its standard output line by line; standard error passes through.
final class Child: @unchecked Sendable {
    let process: Process
    let lines: AsyncStream<String>
    private let output = Locked<[String]>([])

    init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        self.process = process
        let output = output
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(data)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    output.withLock { $0.append(line) }
                    continuation.yield(line)
                }
            }
            continuation.finish()
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// The first line that starts with `prefix`, without it.
    func line(startingWith prefix: String) async -> String? {
        for await line in lines where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
        return nil
    }

    /// Waits for the process to end and returns its exit status and every line it printed.
    func wait() async -> (status: Int32, lines: [String]) {
        for await _ in lines {}
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return (process.terminationStatus, output.withLock { $0 })
    }

    func terminate() {
        if process.isRunning { process.interrupt() }
    }
}

/// Median and spread of repeated measurements.
struct Summary: Codable, Sendable {
    var count: Int
    var median: Double
    var min: Double
    var max: Double
    var p99: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        func quantile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        median = quantile(0.5)
        p99 = quantile(0.99)
        min = sorted.first ?? 0
        max = sorted.last ?? 0
    }

    /// The spread as ± half the range, relative to the median.
    var spreadPercent: Double { median > 0 ? (max - min) / 2 / median * 100 : 0 }
}

/// A value shared between tasks and threads.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}
