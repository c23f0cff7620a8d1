import AccordClient
import AccordCore
import Foundation
import Yams

/// An organization's setup as YAML files: one per kind of record, each a mapping from record names to their
/// fields with keys sorted, multi-line text as literal blocks; the ids in `accord.lock` beside them.
enum SetupFiles {
    static let lockName = "accord.lock"
    static let format = 1

    /// A place in a file, for problems.
    struct Place: Hashable {
        var file: String
        var line: Int
    }

    struct Problem: Error, CustomStringConvertible {
        var place: Place?
        var message: String
        var description: String { place.map { "\($0.file):\($0.line): \(message)" } ?? message }
    }

    /// Writes `setup` into `directory`: a file per kind that has records, and the lock. Returns the files written.
    static func write(_ setup: OrgSetup, organization: String, to directory: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for kind in SetupKind.all {
            let file = directory.appendingPathComponent("\(kind.name).yaml")
            guard let records = setup.records[kind.name], !records.isEmpty else {
                try? FileManager.default.removeItem(at: file)
                continue
            }
            let body = try serialize(node: .mapping(mapping(records.mapValues { SetupValue.map($0) })), width: -1, allowUnicode: true, sortKeys: true)
            try (header(kind) + body).write(to: file, atomically: true, encoding: .utf8)
            written.append(file.lastPathComponent)
        }
        var lock: [String: SetupValue] = ["format": .int(Int64(format)), "organization": .string(organization)]
        lock["ids"] = .map(setup.ids.filter { !$0.value.isEmpty }.mapValues { .map($0.mapValues { .string($0.lowercasedText) }) })
        lock["versions"] = .map(setup.versions.mapValues { .string($0.lowercasedText) })
        let text = "# The ids behind the names in these files, in the organization they were exported from.\n"
            + (try serialize(node: .mapping(mapping(lock)), width: -1, allowUnicode: true, sortKeys: true))
        try text.write(to: directory.appendingPathComponent(lockName), atomically: true, encoding: .utf8)
        return written + [lockName]
    }

    private static func header(_ kind: SetupKind) -> String {
        "# Accord \(kind.name.replacingOccurrences(of: "_", with: " ")): each record under its name (\(kind.keyFields.joined(separator: OrgSetup.keySeparator))).\n"
            + "# The format: docs/packs.md in Accord's repository; its schema: docs/schemas/\(kind.name).schema.json.\n"
    }

    private static let yaml11Specials: Set<String> = ["=", "<<", "~", "y", "n", "yes", "no", "on", "off"]

    private static func mapping(_ values: [String: SetupValue]) -> Node.Mapping {
        Node.Mapping(values.sorted { $0.key < $1.key }.map { (Node(stringLiteral: $0.key), node($0.value)) })
    }

    private static func node(_ value: SetupValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .int(let number): return Node(String(number), Tag(.int))
        case .double(let number): return Node(number == number.rounded() && abs(number) < 1e15 ? String(format: "%.1f", number) : "\(number)", Tag(.float))
        case .string(let text):
            // Text some YAML reader would take for something else (a number, a flag, null, a date, YAML 1.1's
            // "=" and "yes") is quoted, so every tool reads it back as text.
            let plain = Node(text)
            let ambiguous = plain.int != nil || plain.float != nil || plain.bool != nil || plain.null != nil
                || yaml11Specials.contains(text.lowercased()) || text.wholeMatch(of: /\d{4}-\d{2}-\d{2}.*/) != nil
            return .scalar(Node.Scalar(text, Tag(.str), text.contains("\n") ? .literal : ambiguous ? .singleQuoted : .any))
        case .list(let values): return .sequence(Node.Sequence(values.map(node)))
        case .map(let values): return .mapping(mapping(values))
        }
    }

    /// Reads every kind's file in `directory`; a file that does not parse, or holds something other than
    /// records, is a problem with its line.
    static func read(_ directory: URL) throws -> (setup: OrgSetup, places: [String: [String: Place]]) {
        var setup = OrgSetup()
        var places: [String: [String: Place]] = [:]
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        guard !names.isEmpty else { throw Problem(place: nil, message: "\(directory.path) holds no files; accord export writes them") }
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let stem = String(name.prefix { $0 != "." })
            guard let kind = SetupKind.named(stem) else {
                throw Problem(place: Place(file: name, line: 1), message: "is not a kind of record Accord imports; the files are \(SetupKind.all.map { $0.name + ".yaml" }.joined(separator: ", "))")
            }
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let root: Node?
            do {
                root = try Yams.compose(yaml: text)
            } catch let error as YamlError {
                throw Problem(place: Place(file: name, line: line(of: error)), message: "is not valid YAML: \(summary(of: error))")
            }
            guard let root else { continue }
            guard let records = root.mapping else { throw Problem(place: Place(file: name, line: line(root)), message: "must map each record's name to its fields") }
            for (key, body) in records {
                guard let recordName = key.scalar?.string, !recordName.isEmpty else { throw Problem(place: Place(file: name, line: line(key)), message: "a record's name must be text") }
                guard let fields = body.mapping else {
                    throw Problem(place: Place(file: name, line: line(body)), message: "\(recordName) must map its fields to their values")
                }
                places[kind.name, default: [:]][recordName] = Place(file: name, line: line(key))
                var values: OrgSetup.Fields = [:]
                for (field, fieldValue) in fields {
                    guard let fieldName = field.scalar?.string else { throw Problem(place: Place(file: name, line: line(field)), message: "a field's name must be text") }
                    places[kind.name, default: [:]]["\(recordName)\u{0}\(fieldName)"] = Place(file: name, line: line(field))
                    values[fieldName] = value(fieldValue)
                }
                setup.records[kind.name, default: [:]][recordName] = values
            }
        }
        return (setup, places)
    }

    /// A YAML value as a setup value: scalars by the type YAML resolves (dates and times stay text).
    private static func value(_ node: Node) -> SetupValue {
        switch node {
        case .scalar(let scalar):
            // Quoted or block text is text, whatever it spells; a plain scalar is what YAML resolves it to.
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let number = node.int { return .int(Int64(number)) }
            if let number = node.float { return .double(number) }
            return .string(scalar.string)
        case .sequence(let sequence): return .list(sequence.map(value))
        case .mapping(let mapping): return .map(Dictionary(mapping.map { ($0.key.scalar?.string ?? "", value($0.value)) }) { first, _ in first })
        case .alias: return .null
        }
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}
