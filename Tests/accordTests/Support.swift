import Foundation
import Testing

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

enum Accord {
    /// Runs `accord` with its own ACCORD_HOME and the given standard input.
    static func run(_ arguments: [String], home: URL, input: String = "") throws -> Completed {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("accord")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
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
        for _ in 0..<600 {
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
