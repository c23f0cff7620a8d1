import Foundation

/// What importing a setup into an organization does, record by record, as ordinary changes: new records are
/// created, changed ones updated, and a definition's text changes only through a proposal that its agree
/// holders and decider then answer. Nothing is deleted: a record missing from the files stays.
public struct SetupPlan: Sendable, Equatable {
    public enum Action: String, Sendable, Codable {
        case create, change, propose, unchanged
        /// A proposal with this text waits for its decision already.
        case waiting
    }

    public struct Step: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var action: Action
        /// The fields that differ, for a change or a proposal.
        public var fields: [String]
        /// The changes to make, in order.
        public var changes: [FollowUp]
    }

    public var steps: [Step]

    /// A problem with the files themselves; the plan is not made.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var kind: String
        public var name: String
        public var field: String?
        public var reason: String
        public var description: String { "\(kind) \(name)\(field.map { " \($0)" } ?? ""): \(reason)" }
    }

    /// The plan to bring `current` to `wanted`: `rationale` is what each definition proposal says.
    public static func make(wanted: OrgSetup, current: OrgSetup, catalog: Catalog, rationale: String) throws(Problem) -> SetupPlan {
        // Ids for what the import creates, so later records can refer to earlier ones.
        var ids = current.ids
        for kind in SetupKind.all {
            for name in (wanted.records[kind.name] ?? [:]).keys where ids[kind.name]?[name] == nil { ids[kind.name, default: [:]][name] = UUID() }
        }
        var steps: [Step] = []
        for kind in SetupKind.all {
            guard let schema = try? catalog.schema(kind.collection) else { continue }
            for (name, written) in ordered(wanted.records[kind.name] ?? [:]) {
                let existing = current.records[kind.name]?[name]
                // As the field's type reads it: `horizon: 2026` is the text "2026", `threshold: 24` the number 24.0.
                let fields = written.reduce(into: OrgSetup.Fields()) { result, pair in
                    let type = schema.field(pair.key)?.type ?? CollectionSchema.definitionVersions.field(pair.key)?.type ?? .text
                    // An empty list is no value, as an export writes it.
                    if type == .json, pair.value == .list([]) { return }
                    result[pair.key] = normalized(pair.value, type: type)
                }
                let id = ids[kind.name]?[name] ?? UUID()
                var record: RecordFields = [:]
                for (field, value) in fields {
                    guard kind.fields.contains(field) else {
                        throw Problem(kind: kind.name, name: name, field: field, reason: "is not a field of \(kind.name); the fields are \(kind.fields.joined(separator: ", "))")
                    }
                    let type = schema.field(field)?.type ?? CollectionSchema.definitionVersions.field(field)?.type ?? .text
                    record[field] = try Self.fieldValue(value, type: type, reference: kind.references[field], ids: ids, kind: kind.name, name: name, field: field)
                }
                let changed = kind.fields.filter { fields[$0] != existing?[$0] }
                if existing != nil, changed.isEmpty {
                    steps.append(Step(kind: kind.name, name: name, action: .unchanged, fields: [], changes: []))
                    continue
                }
                var keyFields = try Self.keyFields(name, kind: kind, ids: ids)
                if kind.name == SetupKind.definitions.name {
                    steps.append(definitionStep(
                        name, id: id, record: record, wantedFields: fields, changed: existing == nil ? nil : changed, current: current, rationale: rationale, keyFields: keyFields
                    ))
                    continue
                }
                if existing == nil {
                    keyFields.merge(record) { key, _ in key }
                    steps.append(Step(kind: kind.name, name: name, action: .create, fields: [], changes: [FollowUp(.create, kind.collection, id, keyFields)]))
                } else {
                    // A field the files no longer name is cleared.
                    let update = changed.reduce(into: RecordFields()) { $0[$1] = record[$1] ?? .null }
                    steps.append(Step(kind: kind.name, name: name, action: .change, fields: changed, changes: [FollowUp(.update, kind.collection, id, update)]))
                }
            }
        }
        for step in steps { try check(step, catalog: catalog) }
        return SetupPlan(steps: steps)
    }

    /// A record the files describe must be one its collection can hold: a missing required field is a problem
    /// of the files, named with its place, not a refusal found once the plan is made.
    static func check(_ step: Step, catalog: Catalog) throws(Problem) {
        for change in step.changes where change.operation != .delete {
            guard let schema = try? catalog.schema(change.collection),
                  let error = schema.validate(change.fields, creating: change.operation == .create).first else { continue }
            throw Problem(kind: step.kind, name: step.name, field: error.field, reason: error.message)
        }
    }

    static func normalized(_ value: SetupValue, type: FieldType) -> SetupValue {
        switch (type, value) {
        case (.text, .int(let number)), (.date, .int(let number)): .string(String(number))
        case (.text, .double(let number)): .string(String(number))
        case (.text, .bool(let flag)): .string(flag ? "true" : "false")
        case (.real, .int(let number)): .double(Double(number))
        default: value
        }
    }

    /// Records by name, but a ratio KPI after the KPIs it divides, whose keys it names.
    static func ordered(_ records: [String: OrgSetup.Fields]) -> [(key: String, value: OrgSetup.Fields)] {
        records.sorted { a, b in
            let (ratioA, ratioB) = (a.value["numerator"] != nil || a.value["denominator"] != nil, b.value["numerator"] != nil || b.value["denominator"] != nil)
            return ratioA == ratioB ? a.key < b.key : !ratioA
        }
    }

    /// A definition: its own fields change directly; its text changes by a proposal based on the version in force.
    static func definitionStep(
        _ term: String, id: UUID, record: RecordFields, wantedFields: OrgSetup.Fields, changed: [String]?, current: OrgSetup, rationale: String, keyFields: RecordFields
    ) -> Step {
        let definitions = CollectionSchema.definitions.name, versions = CollectionSchema.definitionVersions.name
        var version: RecordFields = ["definition": .reference(definitions, id), "status": .text("proposed"), "term": .text(term), "rationale": .text(rationale)]
        for field in SetupKind.versionFields { version[field] = record[field] ?? (field == "synonyms" || field == "related" ? .strings([]) : .null) }
        guard let changed else {
            var own = keyFields
            for field in ["category", "owner_team"] { own[field] = record[field] }
            return Step(kind: definitions, name: term, action: .create, fields: [], changes: [FollowUp(.create, definitions, id, own), FollowUp(.create, versions, UUID(), version)])
        }
        var changes: [FollowUp] = []
        let own = changed.filter { !SetupKind.versionFields.contains($0) }
        if !own.isEmpty { changes.append(FollowUp(.update, definitions, id, own.reduce(into: RecordFields()) { $0[$1] = record[$1] ?? .null })) }
        let text = changed.filter { SetupKind.versionFields.contains($0) }
        let wantedText = SetupKind.versionFields.reduce(into: OrgSetup.Fields()) { $0[$1] = wantedFields[$1] }
        if !text.isEmpty, current.proposed[term] == wantedText {
            return Step(kind: definitions, name: term, action: changes.isEmpty ? .waiting : .change, fields: own, changes: changes)
        }
        if !text.isEmpty {
            if let basedOn = current.versions[term] { version["based_on"] = .reference(versions, basedOn) }
            changes.append(FollowUp(.create, versions, UUID(), version))
        }
        return Step(kind: definitions, name: term, action: text.isEmpty ? .change : .propose, fields: changed, changes: changes)
    }

    /// The fields a record's name stands for, references resolved.
    static func keyFields(_ name: String, kind: SetupKind, ids: [String: [String: UUID]]) throws(Problem) -> RecordFields {
        let parts = kind.keyFields.count == 1 ? [name] : name.components(separatedBy: OrgSetup.keySeparator)
        guard parts.count <= kind.keyFields.count, !name.isEmpty else {
            throw Problem(kind: kind.name, name: name, field: nil, reason: "is not a name of \(kind.name); write \(kind.keyFields.joined(separator: OrgSetup.keySeparator))")
        }
        var fields: RecordFields = [:]
        for (field, part) in zip(kind.keyFields, parts) {
            if let target = kind.references[field] {
                guard let id = ids[target]?[part] else {
                    throw Problem(kind: kind.name, name: name, field: field, reason: "names \(target) '\(part)', which is neither in the files nor in the organization")
                }
                fields[field] = .reference(target, id)
            } else if kind.name == SetupKind.targets.name, field == "segment" {
                fields[field] = .text(CanonicalJSON.canonical(part) ?? part)
            } else {
                fields[field] = .text(part)
            }
        }
        return fields
    }

    static func fieldValue(
        _ value: SetupValue, type: FieldType, reference target: String?, ids: [String: [String: UUID]], kind: String, name: String, field: String
    ) throws(Problem) -> FieldValue {
        func problem(_ reason: String) -> Problem { Problem(kind: kind, name: name, field: field, reason: reason) }
        switch (type, value) {
        case (_, .null): return .null
        case (.reference, .string(let referred)):
            guard let target, let id = ids[target]?[referred] else { throw problem("names '\(referred)', which is neither in the files nor in the organization") }
            return .reference(target, id)
        case (.json, _): return .text(value.json)
        case (.boolean, .bool(let flag)): return .bool(flag)
        case (.integer, .int(let number)): return .int(number)
        case (.real, .int(let number)): return .double(Double(number))
        case (.real, .double(let number)): return .double(number)
        case (.text, .string(let text)), (.date, .string(let text)), (.timestamp, .string(let text)), (.uuid, .string(let text)): return .text(text)
        case (.text, .int(let number)): return .text(String(number))
        default: throw problem("must be \(Self.describe(type))")
        }
    }

    static func describe(_ type: FieldType) -> String {
        switch type {
        case .boolean: "true or false"
        case .integer: "a whole number"
        case .real: "a number"
        case .reference: "the name of another record"
        case .date: "a date such as 2026-12-01"
        default: "text"
        }
    }
}
