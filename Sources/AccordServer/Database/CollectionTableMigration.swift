import AccordCore
import Logging
import PostgresNIO

/// Brings every collection's table in line with its declaration at start: creates the tables of new
/// collections, adds the columns of new fields, and refuses (changing nothing) a declaration that removed,
/// renamed or retyped a field, since replicas and the change log still hold that field's values.
struct CollectionTableMigration {
    let catalog: Catalog
    let logger: Logger

    /// Runs inside the caller's transaction; returns what it changed, for the log.
    func run(on connection: PostgresConnection) async throws -> [String] {
        // A table busy with a long snapshot should fail this start, not queue every request behind it.
        try await connection.query("SET LOCAL lock_timeout = '10s'", logger: logger)
        var plans: [(table: CollectionTableSchema, statements: [String], changes: [String])] = []
        var problems: [String] = []
        for schema in catalog.collections {
            let table = CollectionTableSchema(schema: schema)
            let existing = try await columns(of: schema.name, on: connection)
            if existing.isEmpty {
                plans.append((table, table.creation + table.guarantees(given: .init()), ["created \(schema.name)"]))
                continue
            }
            let (additions, found) = compare(table, existing)
            problems += found
            let guarantees = table.guarantees(given: try await state(of: table, on: connection))
            plans.append((table, additions.map(table.addition) + guarantees, additions.map { "added \(schema.name).\($0.name)" } + guarantees))
        }
        guard problems.isEmpty else { throw CollectionSchemaError(problems: problems) }
        var changes: [String] = []
        for plan in plans {
            for statement in plan.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            changes += plan.changes
        }
        return changes
    }

    /// The declared fields the table lacks, and what in the table the declaration cannot explain.
    private func compare(_ table: CollectionTableSchema, _ existing: [(name: String, type: String)]) -> ([FieldSchema], [String]) {
        let schema = table.schema
        let have = Dictionary(existing.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        let expected = Dictionary(table.columns.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for (name, type) in existing {
            guard let declared = expected[name] else {
                problems.append(
                    "the table of '\(schema.name)' has a column '\(name)' that the declaration no longer has: a field cannot be removed or renamed, "
                        + "since replicas and the change log still hold its values; declare '\(name)' again (it may stay unused) and add a new field instead"
                )
                continue
            }
            if declared != type {
                problems.append(
                    "field '\(name)' of '\(schema.name)' is \(type) in the database but declared \(declared): a field's type cannot change; "
                        + "keep '\(name)' as it was and add a new field of the new type"
                )
            }
        }
        for field in schema.fields where have[field.name] == nil && !field.added {
            problems.append(
                "field '\(field.name)' of '\(schema.name)' is new but not declared as added; declare it with `added: true`, "
                    + "so that the records that exist keep their checksums"
            )
        }
        let bookkeeping = (CollectionTableSchema.leadingColumns + CollectionTableSchema.trailingColumns).map(\.name)
        for name in bookkeeping where have[name] == nil {
            problems.append("the table of '\(schema.name)' lacks the sync column '\(name)'; it was not made by Accord, so rename it away and restart")
        }
        return (schema.fields.filter { have[$0.name] == nil }, problems)
    }

    private func state(of table: CollectionTableSchema, on connection: PostgresConnection) async throws -> CollectionTableSchema.State {
        var state = CollectionTableSchema.State()
        let rows = try await connection.query(
            """
            SELECT c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = current_schema() AND p.tablename = c.relname
                           AND p.policyname = \(table.policyName)),
                   has_table_privilege('accord_app', c.oid, 'SELECT') AND has_table_privilege('accord_app', c.oid, 'INSERT')
                       AND has_table_privilege('accord_app', c.oid, 'UPDATE') AND has_table_privilege('accord_app', c.oid, 'DELETE'),
                   ARRAY(SELECT indexname::text FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = c.relname)
            FROM pg_class c WHERE c.oid = to_regclass(\(table.schema.name))
            """,
            logger: logger
        )
        for try await (rowSecurity, forced, policy, granted, indexes) in rows.decode((Bool, Bool, Bool, Bool, [String]).self) {
            state = CollectionTableSchema.State(rowSecurity: rowSecurity, forcedRowSecurity: forced, policy: policy, granted: granted, indexes: Set(indexes))
        }
        return state
    }

    private func columns(of table: String, on connection: PostgresConnection) async throws -> [(name: String, type: String)] {
        var columns: [(name: String, type: String)] = []
        let rows = try await connection.query(
            """
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
            """,
            logger: logger
        )
        for try await (name, type) in rows.decode((String, String).self) { columns.append((name, type)) }
        return columns
    }
}

/// Declarations that no longer match their tables; the server does not start, and nothing was changed.
public struct CollectionSchemaError: Error, CustomStringConvertible {
    public let problems: [String]

    public var description: String {
        "the declared collections do not match the database: " + problems.joined(separator: "; ")
    }
}
