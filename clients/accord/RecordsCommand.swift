import AccordClient
import AccordCore
import ArgumentParser
import Foundation

struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "Read and change the records of any synced collection, offline.",
        usage: """
            accord records <collection> [--where field=value] [--sort field] [--limit N | --all]
            accord records <collection> show <id>
            accord records <collection> history <id>
            accord records <collection> new field=value ...
            accord records <collection> set <id> field=value ...
            accord records <collection> delete <id>
            """,
        discussion: "Values are typed by the collection: title=\"Q3 dip\" pinned=true; an empty value (body=) sets null. Ids may be shortened to a unique prefix."
    )

    @Argument(help: "The collection, for example notes.")
    var collection: String

    @Argument(help: "show, history, new, set or delete; nothing lists the records.")
    var action: String?

    @Argument(help: "The record's id and/or field=value assignments.")
    var arguments: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("Only records whose field equals a value (field=value) or contains text (field~text); repeatable.", valueName: "filter"))
    var filters: [String] = []

    @Option(help: ArgumentHelp("Order by a field: field or field:asc from the smallest up, field:desc from the largest down.", valueName: "field"))
    var sort: String?

    @Option(help: "Show at most this many records.")
    var limit: Int?

    @Flag(help: "Show every record; on a terminal a list otherwise stops after one screen.")
    var all = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        switch (action, arguments.count) {
        case (nil, _) where limit.map({ $0 < 1 }) ?? false: throw ValidationError("--limit must be 1 or more")
        case (nil, _) where all && limit != nil: throw ValidationError("choose one of --all and --limit")
        case (nil, _), ("new", 1...), ("show", 1), ("history", 1), ("delete", 1), ("set", 2...): return
        case ("new", _): throw ValidationError("give the new record's fields: accord records \(collection) new field=value ...")
        case ("set", _): throw ValidationError("give the id and the fields: accord records \(collection) set <id> field=value ...")
        case ("show", _), ("history", _), ("delete", _): throw ValidationError("give one id: accord records \(collection) \(action!) <id>")
        default: throw ValidationError("'\(action!)' is not show, history, new, set or delete")
        }
    }

    func run() async throws {
        try await reporting {
            guard let schema = options.catalog.named(collection) else {
                throw ClientError.invalidInput(UnknownCollection(name: collection, known: options.catalog.names).description)
            }
            let replica = try options.openReplica()
            defer { try? replica.close() }
            switch action {
            case "show"?: try show(try replica.recordID(schema.name, matching: arguments[0]), schema, replica)
            case "history"?: try await history(try replica.recordID(schema.name, matching: arguments[0]), schema)
            case "new"?:
                let written = try await replica.create(schema.name, try FieldAssignments.parse(arguments, for: schema))
                let id = written.id
                if options.json {
                    if let warning = written.warning { warn(about: warning) }
                    return try printJSON(RecordOutput(id: id, fields: try replica.record(schema.name, id) ?? [:]))
                }
                try printQueued(replica, "created \(schema.name)/\(id.lowercasedText)", warning: written.warning)
            case "set"?:
                let id = try replica.recordID(schema.name, matching: arguments[0])
                let written = try await replica.update(schema.name, id, try FieldAssignments.parse(Array(arguments.dropFirst()), for: schema))
                try printQueued(replica, "updated \(schema.name)/\(id.lowercasedText.prefix(8))", warning: written.warning)
            case "delete"?:
                let id = try replica.recordID(schema.name, matching: arguments[0])
                let written = try await replica.delete(schema.name, id)
                try printQueued(replica, "deleted \(schema.name)/\(id.lowercasedText.prefix(8))", warning: written.warning)
            default:
                try list(schema, replica)
            }
        }
    }

    private func list(_ schema: CollectionSchema, _ replica: Replica) throws {
        var query = try RecordQuery.parse(filters: filters, sort: sort, limit: limit, for: schema)
        let paged = !all && limit == nil && !options.json && Terminal.showsPages
        if paged { query.limit = Self.pageSize }
        if options.json {
            var writer = JSONArrayWriter()
            try replica.forEachRecord(schema.name, matching: query) { try writer.append(RecordOutput(id: $0.id, fields: $0.fields)) }
            return writer.finish()
        }
        let listing = RecordListing(schema: schema)
        let shown = try listing.write { try replica.forEachRecord(schema.name, matching: query, $0) }
        guard shown > 0 else {
            let filtered = filters.isEmpty ? "" : " match those filters"
            return print(filtered.isEmpty ? "No \(schema.name) in this replica; accord sync fetches them." : "No \(schema.name)\(filtered).")
        }
        guard Terminal.showsPages else { return }
        let total = try replica.count(schema.name, matching: RecordQuery(conditions: query.conditions))
        guard shown < total else { return }
        let more: [TextPart] = [
            "Showing \(shown.grouped) of \(total.grouped) \(schema.name). See every one with", .literal("accord records \(schema.name) --all"),
            ", or narrow the list with", .literal("--where field=value"), ",", .literal("--where field~text"), ",", .literal("--sort field:desc"),
            "or", .literal("--limit N"), ".",
        ]
        for line in Wrapping.lines(more, width: Terminal.width) { print(Terminal.dim(line)) }
    }

    /// Rows that fit one terminal screen, leaving room for the header and the note on how to see more.
    private static var pageSize: Int { max(10, Terminal.height - 6) }

    private func show(_ id: UUID, _ schema: CollectionSchema, _ replica: Replica) throws {
        let fields = try replica.record(schema.name, id) ?? [:]
        if options.json { return try printJSON(RecordOutput(id: id, fields: fields)) }
        print("\(schema.name)/\(id.lowercasedText)")
        let width = (schema.fields.map(\.name.count).max() ?? 0) + 2
        for field in schema.fields {
            let value = fields[field.name] ?? .null
            let lines = Wrapping.lines(value == .null ? "" : value.description, width: max(20, Terminal.width - width))
            print((DisplayText.pad(field.name, to: width) + lines[0]).trimmingTrailingSpaces)
            for line in lines.dropFirst() { print(String(repeating: " ", count: width) + line) }
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
        try container.encode(id.lowercasedText, forKey: DynamicKey("id"))
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
