import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "Read and change the records of any synced collection, offline.",
        usage: """
            accord records <collection>
            accord records <collection> show <id>
            accord records <collection> new field=value ...
            accord records <collection> set <id> field=value ...
            accord records <collection> delete <id>
            """,
        discussion: "Values are typed by the collection: title=\"Q3 dip\" pinned=true; an empty value (body=) sets null. Ids may be shortened to a unique prefix."
    )

    @Argument(help: "The collection, for example notes.")
    var collection: String

    @Argument(help: "show, new, set or delete; nothing lists the records.")
    var action: String?

    @Argument(help: "The record's id and/or field=value assignments.")
    var arguments: [String] = []

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        switch (action, arguments.count) {
        case (nil, _), ("new", 1...), ("show", 1), ("delete", 1), ("set", 2...): return
        case ("new", _): throw ValidationError("give the new record's fields: accord records \(collection) new field=value ...")
        case ("set", _): throw ValidationError("give the id and the fields: accord records \(collection) set <id> field=value ...")
        case ("show", _), ("delete", _): throw ValidationError("give one id: accord records \(collection) \(action!) <id>")
        default: throw ValidationError("'\(action!)' is not show, new, set or delete")
        }
    }

    func run() async throws {
        try await reporting {
            guard let schema = Collections.named(collection) else {
                throw ClientError.invalidInput("there is no collection '\(collection)'; the collections are \(Collections.all.map(\.name).joined(separator: ", "))")
            }
            let replica = try options.openReplica()
            defer { try? replica.close() }
            switch action {
            case "show"?: try show(try replica.recordID(schema.name, matching: arguments[0]), schema, replica)
            case "new"?:
                let id = try replica.create(schema.name, try FieldAssignments.parse(arguments, for: schema))
                if options.json { return try printJSON(RecordOutput(id: id, fields: try replica.record(schema.name, id) ?? [:])) }
                try printQueued(replica, "created \(schema.name)/\(id.uuidString.lowercased())")
            case "set"?:
                let id = try replica.recordID(schema.name, matching: arguments[0])
                try replica.update(schema.name, id, try FieldAssignments.parse(Array(arguments.dropFirst()), for: schema))
                try printQueued(replica, "updated \(schema.name)/\(id.uuidString.lowercased().prefix(8))")
            case "delete"?:
                let id = try replica.recordID(schema.name, matching: arguments[0])
                try replica.delete(schema.name, id)
                try printQueued(replica, "deleted \(schema.name)/\(id.uuidString.lowercased().prefix(8))")
            default:
                try list(schema, replica)
            }
        }
    }

    private func list(_ schema: CollectionSchema, _ replica: Replica) throws {
        let records = try replica.records(schema.name)
        if options.json { return try printJSON(records.map { RecordOutput(id: $0.id, fields: $0.fields) }) }
        guard !records.isEmpty else { return print("No \(schema.name) in this replica; accord sync fetches them.") }
        let shown = schema.fields.prefix(3)
        let width = (Terminal.width - 10) / max(1, shown.count)
        print(Terminal.pad("ID", 10) + shown.map { Terminal.pad($0.name.uppercased(), width) }.joined())
        for record in records {
            let values = shown.map { Terminal.pad((record.fields[$0.name] ?? .null).description, width) }.joined()
            print(Terminal.pad(String(record.id.uuidString.lowercased().prefix(8)), 10) + values)
        }
    }

    private func show(_ id: UUID, _ schema: CollectionSchema, _ replica: Replica) throws {
        let fields = try replica.record(schema.name, id) ?? [:]
        if options.json { return try printJSON(RecordOutput(id: id, fields: fields)) }
        print("\(schema.name)/\(id.uuidString.lowercased())")
        let width = (schema.fields.map(\.name.count).max() ?? 0) + 2
        for field in schema.fields {
            print(Terminal.pad(field.name, width) + Terminal.fit((fields[field.name] ?? .null).description, Terminal.width - width))
        }
        if let metadata = try replica.metadata(schema.name, id), metadata.seq > 0 {
            print(Terminal.dim("change \(metadata.seq), \(Terminal.age(metadata.updatedAt))"))
        } else {
            print(Terminal.dim("not on the server yet"))
        }
    }
}

/// A record as `--json` prints it.
struct RecordOutput: Encodable {
    var id: UUID
    var fields: RecordFields

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(id.uuidString.lowercased(), forKey: DynamicKey("id"))
        for (name, value) in fields { try container.encode(value, forKey: DynamicKey(name)) }
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
