import Foundation
import Testing

@testable import accord

/// A temporary directory for one test.
struct Workspace {
    let directory: URL

    init() throws {
        directory = URL(fileURLWithPath: "/tmp/accord-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The built products sit beside the test bundle.
let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

struct Completed {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs blocking work (a child process and its pipes) on a thread of its own. Waiting for a child on one of
/// Swift's cooperative threads would take it from everything else in the test process, and on a two-core
/// machine two such waits stall every server the other suites run in this process.
func offTheCooperativePool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

enum Accord {
    /// Runs `accord` with its own ACCORD_HOME and the given standard input.
    static func run(_ arguments: [String], home: URL, input: String = "", unset: [String] = []) async throws -> Completed {
        try await offTheCooperativePool { try runBlocking(arguments, home: home, input: input, unset: unset) }
    }

    private static func runBlocking(_ arguments: [String], home: URL, input: String, unset: [String]) throws -> Completed {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("accord")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for name in unset { environment[name] = nil }
        environment["ACCORD_HOME"] = home.path
        process.environment = environment
        let output = Pipe(), error = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Completed(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }
}

/// `accord-server serve --seed-demo` on a free port, with its embedded PostgreSQL in the workspace.
struct RunningServer {
    let process: Process
    let url: String
    let log: URL

    /// Starts on `port`, or on a free one; the same workspace reuses its cluster and data.
    static func start(in workspace: Workspace, port: Int = 0) async throws -> RunningServer {
        let log = workspace.directory.appendingPathComponent("server-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("accord-server")
        process.arguments = ["serve", "--seed-demo", "--port", String(port), "--data-dir", workspace.directory.appendingPathComponent("data").path]
        var environment = ProcessInfo.processInfo.environment
        environment["ACCORD_BCRYPT_COST"] = "4"
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Up to five minutes: a fresh embedded cluster and the demo's seeding, while other suites start theirs on
        // a loaded two-core machine.
        for _ in 0..<3_000 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Accord is serving ") }) {
                let url = String(line.dropFirst("Accord is serving ".count).prefix { $0 != " " })
                return RunningServer(process: process, url: url, log: log)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        Issue.record("accord-server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        throw CancellationError()
    }

    var port: Int { URLComponents(string: url)?.port ?? 0 }

    /// Stops the server as an operator would, which also stops its PostgreSQL.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension Accord {
    /// Runs `accord` on a real pseudo-terminal of `columns` × `lines` (through util-linux `script`), as a person
    /// at a terminal would; colour is off so that what is measured is what is read.
    static func runOnTerminal(_ arguments: [String], home: URL, columns: Int, lines: Int = 24) async throws -> Completed {
        try await offTheCooperativePool { try runOnTerminalBlocking(arguments, home: home, columns: columns, lines: lines) }
    }

    private static func runOnTerminalBlocking(_ arguments: [String], home: URL, columns: Int, lines: Int) throws -> Completed {
        let command = ([productsDirectory.appendingPathComponent("accord").path] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment["ACCORD_HOME"] = home.path
        environment["COLUMNS"] = String(columns)
        environment["LINES"] = String(lines)
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input
        try process.run()
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        return Completed(status: process.terminationStatus, standardOutput: text, standardError: "")
    }

    /// Runs `accord` with its output in a pipe and no COLUMNS, as a script would.
    static func runPiped(_ arguments: [String], home: URL) async throws -> Completed {
        try await run(arguments, home: home, unset: ["COLUMNS", "LINES"])
    }
}

/// What every table accord prints must hold.
enum Layout {
    /// Where each column starts, read from the header: a column begins where text follows two spaces.
    static func columnStarts(_ header: Substring) -> [Int] {
        let characters = Array(header)
        return characters.indices.filter { index in
            characters[index] != " " && index >= 2 && characters[index - 1] == " " && characters[index - 2] == " "
        }
    }

    /// Every line fits `width`, and in every row the two columns before each column's start are blank, so no
    /// two cells touch. `rows` are the lines after the header that belong to the table.
    static func check(_ output: String, width: Int, rows: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            #expect(DisplayText.width(String(line)) <= width, "wider than \(width): '\(line)'", sourceLocation: sourceLocation)
        }
        guard let header = lines.first else {
            Issue.record("no output", sourceLocation: sourceLocation)
            return
        }
        let starts = columnStarts(header)
        #expect(!starts.isEmpty, "a table with more than one column: '\(header)'", sourceLocation: sourceLocation)
        for line in lines.dropFirst().prefix(rows) {
            // One element per terminal column, so a wide character cannot shift what is measured.
            let characters = line.flatMap { character in DisplayText.width(String(character)) == 2 ? [character, character] : [character] }
            for start in starts where start < characters.count {
                #expect(characters[start - 1] == " " && characters[start - 2] == " ", "cells touch in '\(line)'", sourceLocation: sourceLocation)
            }
        }
    }
}
