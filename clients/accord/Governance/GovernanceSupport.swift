import AccordClient
import AccordCore
import Foundation

extension GlobalOptions {
    /// Runs `body` with the organization's replica and its governance records, closing the replica after.
    func withGovernance(_ body: (Replica, GovernanceData) async throws -> Void) async throws {
        let replica = try openReplica()
        defer { try? replica.close() }
        try await body(replica, try await replica.governanceData())
    }
}

/// Governance values as a person reads them.
enum GovernanceText {
    /// A holder with the people it names.
    static func holders(_ holders: [Holder], _ directory: MemberDirectory) -> String {
        holders.isEmpty ? "—" : holders.map(directory.describe).joined(separator: "; ")
    }

    /// `2026-12-01`, or empty.
    static func day(_ date: Date?) -> String {
        date.map(CalendarDate.text) ?? ""
    }

    /// Criteria as `lead_score >= 60`, one per line; anything else as its JSON.
    static func criteria(_ json: String?) -> [String] {
        DefinitionDiff.conditions(json).map { condition in
            guard let object = try? JSONSerialization.jsonObject(with: Data(condition.text.utf8)) as? [String: Any],
                  let field = object["field"], let op = object["op"] else { return condition.text }
            return "\(field) \(op) \(object["value"].map { "\($0)" } ?? "")"
        }
    }

    /// Reads a Markdown body from a file, `-` for standard input.
    static func read(_ path: String) throws -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ClientError.invalidInput("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Lets the person write the body in `$EDITOR`, starting from `text`.
    static func edit(_ text: String) throws -> String {
        guard let editor = ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"], !editor.isEmpty else {
            throw ClientError.invalidInput("give the new text with --file <path> (or - for standard input), or set EDITOR to write it in your editor")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-definition-\(UUID().uuidString.prefix(8)).md")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$0\"", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ClientError.invalidInput("the editor exited with status \(process.terminationStatus); nothing was proposed") }
        return try String(contentsOf: file, encoding: .utf8)
    }
}

extension DecisionFilter {
    /// The filter the command line's options spell.
    init(type: String?, status: String?, cadence: String?, link: String?, decider: String?, since: String?, until: String?, due: Bool, directory: MemberDirectory) throws {
        self.init(type: type, cadence: cadence, link: link, since: since, until: until, due: due)
        if let status {
            guard let known = DecisionStatus(rawValue: status) else {
                throw ClientError.invalidInput("--status must be one of \(DecisionStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.status = known
        }
        if let decider {
            guard let member = directory.find(decider) else { throw ClientError.invalidInput("--decider names no member; give an email or a name") }
            self.decider = member.id
        }
        for (flag, day) in [("--since", since), ("--until", until)] where day.map({ CalendarDate.days($0) == nil }) ?? false {
            throw ClientError.invalidInput("\(flag) must be a date such as 2026-12-01")
        }
    }
}
