import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and captures what it printed.
struct CommandRunner: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String

        var description: String {
            let tail = output.split(separator: "\n").suffix(6).joined(separator: "\n")
            return "\(command) exited with status \(status)\(tail.isEmpty ? "" : ":\n\(tail)")"
        }
    }

    /// Runs `executable` as `user` when given (through `runuser`, so root can run PostgreSQL as an unprivileged
    /// account), otherwise as the current user.
    ///
    /// Spawned directly with `posix_spawn` and reaped with `waitpid`, with output going to a file: `pg_ctl start`
    /// leaves a daemon behind, which must not keep this call waiting on a pipe or a child-exit notification.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], as user: String? = nil) throws -> String {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] + arguments } ?? [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("accord-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawnError = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawnError == 0 else {
            throw Failure(command: argv[0], status: -1, output: String(cString: strerror(spawnError)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitStatus == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw Failure(command: ([name] + arguments.prefix(2)).joined(separator: " "), status: exitStatus, output: output)
        }
        return output
    }

    /// The exit status only, for commands whose failure is an answer (such as `pg_ctl status`).
    func status(_ executable: String, _ arguments: [String], as user: String? = nil) -> Int32 {
        do {
            try run(executable, arguments, as: user)
            return 0
        } catch let failure as Failure {
            return failure.status
        } catch {
            return -1
        }
    }
}
