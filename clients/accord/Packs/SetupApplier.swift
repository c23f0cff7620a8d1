import AccordClient
import AccordCore
import Foundation

/// Makes a setup plan's changes in an organization's replica: first on a throwaway copy, where the rules the
/// server runs judge each step, then for real without the steps they refused (unless it is a dry run).
struct SetupApplier {
    let options: GlobalOptions
    let organization: KnownOrganization

    struct Line: Encodable {
        var action: String
        var kind: String
        var name: String
        var fields: [String]
        var refused: String?
    }

    /// `after` gives the changes that go with a step once it is made (a pack's adoption records).
    func run(_ plan: SetupPlan, dryRun: Bool, after: (SetupPlan.Step) -> [FollowUp] = { _ in [] }) async throws -> [Line] {
        let replica = try options.replica(for: organization)
        let actor = replica.actor
        try replica.close()
        let lines = try await trial(plan, actor: actor, after: after)
        if !dryRun {
            let refused = Set(lines.filter { $0.refused != nil }.map { "\($0.kind)\u{0}\($0.name)" })
            let replica = try options.replica(for: organization)
            defer { try? replica.close() }
            for step in plan.steps where !refused.contains("\(step.kind)\u{0}\(step.name)") { _ = try await Self.make(step.changes + after(step), in: replica) }
        }
        return lines
    }

    private func trial(_ plan: SetupPlan, actor: RuleActor?, after: (SetupPlan.Step) -> [FollowUp]) async throws -> [Line] {
        let original = options.home.replicaFile(for: organization.id).path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("accord-setup-\(UUID().uuidString.prefix(8)).sqlite")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: original + suffix) {
            try FileManager.default.copyItem(atPath: original + suffix, toPath: scratch.path + suffix)
        }
        defer { try? Replica.remove(at: scratch) }
        let copy = try Replica(at: scratch, organization: organization.id, catalog: options.catalog, actor: actor)
        defer { try? copy.close() }
        var lines: [Line] = []
        // The records refused steps would have created, by id, and the step each belongs to: a later step that
        // refers to one is held back with it, rather than queued for the server to refuse at the next sync.
        var missing: [String: String] = [:]
        for step in plan.steps {
            let changes = step.changes + after(step)
            let refused: String?
            if let needed = Self.needed(changes, among: missing) {
                refused = "needs \(needed), which is refused above"
            } else {
                refused = try await Self.make(changes, in: copy)
            }
            if refused != nil {
                for change in changes where change.operation == .create { missing[change.recordID.lowercasedText] = "\(step.kind) \(step.name)" }
            }
            lines.append(Line(action: refused == nil ? step.action.rawValue : "refused", kind: step.kind, name: step.name, fields: step.fields, refused: refused))
        }
        return lines
    }

    /// The first of the `missing` records that `changes` refer to (a reference, or an id in a list).
    private static func needed(_ changes: [FollowUp], among missing: [String: String]) -> String? {
        guard !missing.isEmpty else { return nil }
        for change in changes {
            for case .text(let text) in change.fields.values {
                if let found = missing.first(where: { text.contains($0.key) }) { return found.value }
            }
        }
        return nil
    }

    /// Makes `changes` in `replica`; the first reason its rules refuse one, if any.
    private static func make(_ changes: [FollowUp], in replica: Replica) async throws -> String? {
        var refused: String?
        for change in changes {
            let written = switch change.operation {
            case .create: try await replica.create(change.collection, change.fields, id: change.recordID)
            case .update: try await replica.update(change.collection, change.recordID, change.fields)
            case .delete: try await replica.delete(change.collection, change.recordID)
            }
            if refused == nil { refused = written.warning?.reason }
        }
        return refused
    }

    /// The plan as a table, unchanged records counted rather than listed, refusals in full under it.
    static func print(_ lines: [Line], dryRun: Bool, organization: String) {
        let shown = lines.filter { $0.action != SetupPlan.Action.unchanged.rawValue }
        if !shown.isEmpty {
            TableWriter.show(
                [.literal("ACTION"), .literal("KIND"), .text("NAME", required: true, minimum: 10, maximum: 40), .text("FIELDS", minimum: 10, maximum: 60)],
                shown.map { [$0.action, $0.kind, $0.name, $0.fields.joined(separator: ", ")] }
            )
        }
        // Reasons in full: they say who can help.
        for line in lines {
            guard let reason = line.refused else { continue }
            for (index, text) in Wrapping.lines("\(line.kind) \(line.name): \(reason)", width: max(Terminal.width - 4, 20)).enumerated() {
                Swift.print((index == 0 ? "  ✖ " : "    ") + text)
            }
        }
        let unchanged = lines.count - shown.count
        let refused = lines.count { $0.action == "refused" }
        var summary = "\(shown.count - refused) to change, \(unchanged) unchanged, \(refused) the rules refuse"
        summary += dryRun ? "; dry run: nothing was queued." : "; queued in \(organization): accord sync sends them."
        Swift.print(summary)
    }
}

extension GlobalOptions {
    /// The organization's setup as its replica holds it.
    func setup(of organization: KnownOrganization) throws -> OrgSetup {
        let replica = try replica(for: organization)
        defer { try? replica.close() }
        return try OrgSetup.read(catalog: catalog) { name in try replica.records(name).reduce(into: [:]) { $0[$1.id] = $1.fields } }
    }
}
