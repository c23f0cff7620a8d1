/// The collections one server or replica syncs, fixed when it starts. The server and each replica are given
/// one; the built-in catalog holds every production collection, and the benchmark adds its own.
public struct Catalog: Sendable {
    /// In declaration order, which is also the order the replica creates their tables in.
    public let collections: [CollectionSchema]
    private let byName: [String: CollectionSchema]

    /// Every production collection.
    public static let builtIn: Catalog = {
        do {
            return try Catalog(
                [.notes, .conflicts, .members, .teamRosters] + CollectionSchema.governance + CollectionSchema.kpiSpine + CollectionSchema.strategy
                    + CollectionSchema.packCollections
            )
        } catch {
            preconditionFailure("the built-in collections are declared wrongly: \(error)")
        }
    }()

    /// Refuses a catalog whose declarations could not become tables: a repeated collection or field name, a
    /// name the bookkeeping columns or tables already use, or a catalog without `conflicts`, where the server
    /// records the edits a person must decide.
    public init(_ collections: [CollectionSchema]) throws {
        var problems = collections.flatMap(\.declarationProblems)
        let names = collections.map(\.name)
        for name in Set(names) where names.filter({ $0 == name }).count > 1 {
            problems.append("collection '\(name)' is declared twice")
        }
        let conflicts = collections.first { $0.name == CollectionSchema.conflicts.name }
        if conflicts?.fields.map(\.name) != CollectionSchema.conflicts.fields.map(\.name) {
            problems.append("the catalog must hold the built-in 'conflicts' collection as Accord declares it")
        }
        guard problems.isEmpty else { throw CatalogError(problems: problems.sorted()) }
        self.collections = collections
        self.byName = Dictionary(uniqueKeysWithValues: collections.map { ($0.name, $0) })
    }

    /// This catalog with `schema` added after its collections.
    public func adding(_ schema: CollectionSchema) throws -> Catalog {
        try Catalog(collections + [schema])
    }

    public func named(_ name: String) -> CollectionSchema? {
        byName[name]
    }

    /// The collection whose name these UTF-8 bytes spell; for readers of bulk sync messages, which should not
    /// allocate a name per record.
    public func named(matching bytes: UnsafeRawBufferPointer) -> CollectionSchema? {
        collections.first { $0.name.utf8.elementsEqual(bytes) }
    }

    public var names: [String] { collections.map(\.name) }

    /// The collection named `name`, or an explanation that lists the ones there are.
    public func schema(_ name: String) throws(UnknownCollection) -> CollectionSchema {
        guard let schema = byName[name] else { throw UnknownCollection(name: name, known: names) }
        return schema
    }
}

/// A catalog that cannot be served, with every reason.
public struct CatalogError: Error, CustomStringConvertible, Equatable {
    public var problems: [String]
    public var description: String { "the collections cannot be served: " + problems.joined(separator: "; ") }
}

/// A collection name no collection of the catalog has.
public struct UnknownCollection: Error, CustomStringConvertible, Equatable {
    public var name: String
    public var known: [String]

    public init(name: String, known: [String]) {
        self.name = name
        self.known = known
    }

    public var description: String { "there is no collection '\(name)'; the collections are \(known.joined(separator: ", "))" }
}

extension CollectionSchema {
    /// Names a table or column of this collection cannot take: every synced table's bookkeeping columns (the
    /// server's, and the replica's, which start with `_`), and the server's and the replica's own tables.
    public static let reservedTableNames: Set<String> = [
        "changes", "mutation_outcomes", "outbox", "rejections", "sync_state", "organizations", "memberships", "users", "teams",
        "team_members", "tokens", "login_failures", "schema_migrations", "grdb_migrations",
    ]

    /// What is wrong with this declaration, each naming the field; empty when it can become a table.
    public var declarationProblems: [String] {
        var problems: [String] = []
        if !Self.isPlainName(name) {
            problems.append("collection '\(name)' needs a name of lower-case letters, digits and underscores, starting with a letter")
        } else if Self.reservedTableNames.contains(name) || name.hasPrefix("sync_") || name.hasPrefix("sqlite_") {
            problems.append("collection '\(name)' takes the name of a table Accord keeps for itself; choose another")
        }
        var seen: Set<String> = []
        for field in fields {
            if !Self.isPlainName(field.name) {
                problems.append("collection '\(name)': field '\(field.name)' needs a name of lower-case letters, digits and underscores, starting with a letter")
            } else if Self.reservedNames.contains(field.name) {
                problems.append("collection '\(name)': field '\(field.name)' is the name of a bookkeeping column every synced table has; rename the field")
            }
            if !field.added, fields.prefix(while: { $0.name != field.name }).contains(where: \.added) {
                problems.append("collection '\(name)': field '\(field.name)' comes after a field added later; declare added fields last, in the order they were added")
            }
            if field.added && field.required {
                problems.append("collection '\(name)': field '\(field.name)' was added after records existed, so it cannot be required")
            }
            if !seen.insert(field.name).inserted {
                problems.append("collection '\(name)': field '\(field.name)' is declared twice")
            }
        }
        for index in indexes {
            for field in index.fields + (index.only.map { [$0.field] } ?? []) where self.field(field) == nil {
                problems.append("collection '\(name)': index '\(index.name)' names '\(field)', which is not one of its fields")
            }
            if !Self.isPlainName(index.name) {
                problems.append("collection '\(name)': index '\(index.name)' needs a name of lower-case letters, digits and underscores")
            }
        }
        return problems
    }

    private static func isPlainName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 63 else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }
}
