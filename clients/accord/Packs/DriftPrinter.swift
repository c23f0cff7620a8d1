import AccordCore
import Foundation

/// Drift as a person reads it: one line per organization, then each record that differs, and conflicts with
/// the base, this organization's value and the pack's side by side.
struct DriftPrinter {
    var width: Int

    func print(_ org: String, _ drift: PackDrift) {
        let count = { (state: PackDrift.State) in drift.records.count { $0.state == state } }
        let versions = Set(drift.records.compactMap(\.version)).sorted().map(String.init).joined(separator: ", ")
        var parts = ["\(count(.matches)) match", "\(count(.clientChanged) + count(.both)) changed here", "\(count(.packChanged) + count(.both)) changed in the pack"]
        if count(.newInPack) > 0 { parts.append("\(count(.newInPack)) new in the pack") }
        let conflicts = drift.records.reduce(0) { $0 + $1.conflicts.count }
        if conflicts > 0 { parts.append("\(conflicts) conflict\(conflicts == 1 ? "" : "s")") }
        say("\(org): \(drift.pack) version \(versions.isEmpty ? "none" : versions) of \(drift.latest) · " + parts.joined(separator: ", "), indent: "")
        for record in drift.records where record.state != .matches {
            let label = "\(record.kind) \(record.name)"
            switch record.state {
            case .newInPack: say("+ \(label): new in the pack")
            case .removedInClient: say("- \(label): removed here")
            case .removedFromPack: say("- \(label): no longer in the pack")
            default:
                var what: [String] = []
                if !record.clientChanged.isEmpty { what.append("changed here: " + record.clientChanged.map(\.field).joined(separator: ", ")) }
                if !record.packChanged.isEmpty { what.append("changed in the pack: " + record.packChanged.map(\.field).joined(separator: ", ")) }
                say("~ \(label): " + what.joined(separator: "; "))
                // Each change as it was and as it is; conflicts follow in full below.
                let conflicted = Set(record.conflicts.map(\.field))
                for change in record.clientChanged where !conflicted.contains(change.field) {
                    say("here, \(change.field): \(SetupValue.shown(change.base)) → \(SetupValue.shown(change.client))", indent: "      ")
                }
                for change in record.packChanged where !conflicted.contains(change.field) {
                    say("pack, \(change.field): \(SetupValue.shown(change.base)) → \(SetupValue.shown(change.pack))", indent: "      ")
                }
            }
        }
        for record in drift.records where !record.conflicts.isEmpty { self.conflicts(record, version: drift.latest) }
        Swift.print("")
    }

    /// A record's conflicting fields, each with what the pack said, what this organization has and what the
    /// pack says now, aligned and whole, so the choice can be made from the screen.
    func conflicts(_ record: PackDrift.Record, version: Int) {
        for field in record.conflicts {
            say("! \(record.kind) \(record.name) · \(field.field): changed here and in the pack; decide which to keep", indent: "  ")
            for (label, value) in [("was (v\(record.version ?? 0))", field.base), ("here", field.client), ("pack v\(version)", field.pack)] {
                let pad = String(repeating: " ", count: 11 - min(label.count, 10))
                for (index, line) in Wrapping.lines(SetupValue.shown(value), width: max(width - 17, 20)).enumerated() {
                    Swift.print(index == 0 ? "      \(label):\(pad)\(line)" : String(repeating: " ", count: 18) + line)
                }
            }
        }
    }


    private func say(_ text: String, indent: String = "  ") {
        for (index, line) in Wrapping.lines(text, width: max(width - indent.count - 2, 20)).enumerated() {
            Swift.print((index == 0 ? indent : indent + "  ") + line)
        }
    }
}
