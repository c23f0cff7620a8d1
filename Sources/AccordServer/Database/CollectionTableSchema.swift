import AccordCore
import Foundation

/// A collection's PostgreSQL table as its declaration makes it: the bookkeeping columns every synced table has,
/// the declared fields as typed columns, the key `(org_id, id)`, the declared indexes, and row-level security
/// (enabled and forced) with the policy that keeps each organization's rows to itself.
struct CollectionTableSchema {
    let schema: CollectionSchema

    /// The sync columns, in table order around the fields: the key and change first, the rest after.
    static let leadingColumns: [(name: String, type: String)] = [("org_id", "uuid"), ("id", "uuid"), ("seq", "bigint")]
    static let trailingColumns: [(name: String, type: String)] = [
        ("field_seqs", "jsonb"), ("field_stamps", "jsonb"), ("deleted_seq", "bigint"), ("deleted_stamp", "text"),
        ("created_by", "uuid"), ("created_client", "uuid"), ("created_at", "timestamp with time zone"), ("updated_by", "uuid"),
        ("updated_client", "uuid"), ("updated_at", "timestamp with time zone"),
    ]

    var policyName: String { "\(schema.name)_tenant" }

    /// Every column the table has, by name, with its type as `information_schema.columns.data_type` spells it.
    var columns: [(name: String, type: String)] {
        Self.leadingColumns + schema.fields.map { ($0.name, $0.type.postgresType) } + Self.trailingColumns
    }

    /// The statements that create the table from nothing.
    var creation: [String] {
        let fields = schema.fields.map { field in
            "\(quoted(field.name)) \(field.type.postgresType)\(field.required ? " NOT NULL" : "")"
        }
        let definition = [
            "org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE", "id uuid NOT NULL", "seq bigint NOT NULL",
        ] + fields + [
            "field_seqs jsonb NOT NULL DEFAULT '{}'", "field_stamps jsonb NOT NULL DEFAULT '{}'", "deleted_seq bigint",
            "deleted_stamp text", "created_by uuid", "created_client uuid", "created_at timestamptz NOT NULL DEFAULT now()",
            "updated_by uuid", "updated_client uuid", "updated_at timestamptz NOT NULL DEFAULT now()", "PRIMARY KEY (org_id, id)",
        ]
        return ["CREATE TABLE \(quoted(schema.name)) (\n    " + definition.joined(separator: ",\n    ") + "\n)"]
    }

    /// What a table has of the protection and indexes its declaration asks for.
    struct State {
        var rowSecurity = false
        var forcedRowSecurity = false
        var policy = false
        var granted = false
        var indexes: Set<String> = []
    }

    /// The statements that give the table what `state` lacks. Each takes a lock that stops the table's reads
    /// or writes, so a start issues only the ones needed: on a current table, none.
    func guarantees(given state: State) -> [String] {
        let table = quoted(schema.name)
        var statements: [String] = []
        if !state.rowSecurity { statements.append("ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY") }
        if !state.forcedRowSecurity { statements.append("ALTER TABLE \(table) FORCE ROW LEVEL SECURITY") }
        if !state.policy {
            statements.append(
                "CREATE POLICY \(quoted(policyName)) ON \(table) USING (org_id = accord_current_org()) WITH CHECK (org_id = accord_current_org())"
            )
        }
        if !state.granted { statements.append("GRANT SELECT, INSERT, UPDATE, DELETE ON \(table) TO accord_app") }
        for index in schema.indexes where !state.indexes.contains(indexName(index)) {
            statements.append(indexStatement(index))
        }
        return statements
    }

    func indexName(_ index: CollectionIndex) -> String {
        "\(schema.name)_\(index.name)_idx"
    }

    /// A column for a field added to the declaration since the table was made: nullable, so the records that
    /// exist read null in it.
    func addition(of field: FieldSchema) -> String {
        "ALTER TABLE \(quoted(schema.name)) ADD COLUMN \(quoted(field.name)) \(field.type.postgresType)"
    }

    private func indexStatement(_ index: CollectionIndex) -> String {
        let name = indexName(index)
        let columns = (["org_id"] + index.fields).map(quoted).joined(separator: ", ")
        let predicate = index.only.map { " WHERE \(quoted($0.field)) = '\($0.value.replacingOccurrences(of: "'", with: "''"))'" } ?? ""
        return "CREATE INDEX \(quoted(name)) ON \(quoted(schema.name)) (\(columns))\(predicate)"
    }
}

extension FieldType {
    /// The PostgreSQL column type, as `information_schema.columns.data_type` spells it.
    var postgresType: String {
        switch self {
        case .text, .reference: "text"
        case .integer: "bigint"
        case .real: "double precision"
        case .boolean: "boolean"
        case .timestamp: "timestamp with time zone"
        case .uuid: "uuid"
        case .json: "jsonb"
        case .date: "date"
        }
    }
}

/// An identifier quoted for SQL; declared names are plain already (the catalog refuses others), so this is a
/// second wall rather than the first.
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
