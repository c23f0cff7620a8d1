import AccordCore
import Foundation
import GRDB

/// The replica's tables, created by GRDB migrations: one typed table per collection with the columns
/// an analyst would expect, a shadow table per collection for the server's state of records with pending
/// local changes, the outbox, the rejection inbox and the sync state.
enum ReplicaSchema {
    static func migrator(_ catalog: Catalog) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("sync state, outbox and rejections") { db in
            try db.execute(sql: """
                CREATE TABLE sync_state (
                    id                INTEGER PRIMARY KEY CHECK (id = 1),
                    org_id            TEXT NOT NULL,
                    client_id         TEXT NOT NULL,
                    cursor            INTEGER NOT NULL DEFAULT 0,
                    epoch             TEXT,
                    needs_snapshot    INTEGER NOT NULL DEFAULT 1,
                    snapshot_generation INTEGER NOT NULL DEFAULT 0,
                    next_mutation_id  INTEGER NOT NULL DEFAULT 1,
                    clock             TEXT,
                    server_checksums  TEXT,
                    last_success_at   TEXT,
                    last_error        TEXT,
                    last_error_at     TEXT,
                    last_summary      TEXT
                );
                CREATE TABLE outbox (
                    mutation_id INTEGER PRIMARY KEY,
                    collection  TEXT NOT NULL,
                    record_id   TEXT NOT NULL,
                    operation   TEXT NOT NULL,
                    fields      TEXT NOT NULL,
                    base_seq    INTEGER NOT NULL,
                    stamp       TEXT NOT NULL,
                    created_at  TEXT NOT NULL
                );
                CREATE INDEX outbox_record ON outbox (collection, record_id);
                CREATE TABLE rejections (
                    mutation_id INTEGER PRIMARY KEY,
                    collection  TEXT NOT NULL,
                    record_id   TEXT NOT NULL,
                    operation   TEXT NOT NULL,
                    fields      TEXT NOT NULL,
                    code        TEXT NOT NULL,
                    reason      TEXT NOT NULL,
                    rejected_at TEXT NOT NULL
                );
                """)
        }
        for schema in catalog.collections {
            migrator.registerMigration("collection \(schema.name)") { db in
                try createTables(for: schema, in: db)
            }
        }
        migrator.registerMigration("maintained checksums") { db in
            for schema in catalog.collections { try ReplicaChecksums.install(for: schema, in: db) }
        }
        migrator.registerMigration("snapshot batches count their own rows") { db in
            for schema in catalog.collections { try ReplicaChecksums.reinstall(for: schema, in: db) }
        }
        // Mutation ids may be handed out again when the outbox is renumbered to follow the server, so a
        // rejection needs an id of its own; the old ones keep their number.
        migrator.registerMigration("rejections keyed by their own id") { db in
            try db.execute(sql: """
                CREATE TABLE rejections_keyed (
                    id          INTEGER PRIMARY KEY AUTOINCREMENT,
                    mutation_id INTEGER NOT NULL,
                    collection  TEXT NOT NULL,
                    record_id   TEXT NOT NULL,
                    operation   TEXT NOT NULL,
                    fields      TEXT NOT NULL,
                    code        TEXT NOT NULL,
                    reason      TEXT NOT NULL,
                    rejected_at TEXT NOT NULL
                );
                INSERT INTO rejections_keyed (id, mutation_id, collection, record_id, operation, fields, code, reason, rejected_at)
                    SELECT mutation_id, mutation_id, collection, record_id, operation, fields, code, reason, rejected_at FROM rejections;
                DROP TABLE rejections;
                ALTER TABLE rejections_keyed RENAME TO rejections;
                """)
        }
        return migrator
    }

    /// Gives each collection's tables the columns of fields added to its declaration since the file was made:
    /// records that exist read null in them. The triggers that keep the checksums list the fields, so they are
    /// made again (which counts the collection's sum again from its rows).
    static func addDeclaredColumns(_ catalog: Catalog, in db: Database) throws {
        for schema in catalog.collections {
            let existing = Set(try db.columns(in: schema.name).map(\.name))
            let missing = schema.fields.filter { !existing.contains($0.name) }
            guard !missing.isEmpty else { continue }
            for field in missing {
                for table in [schema.quotedTable, schema.quotedShadowTable] {
                    try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(field.name.quotedDatabaseIdentifier) \(field.type.sqliteType)")
                }
            }
            try ReplicaChecksums.reinstall(for: schema, in: db)
        }
    }

    /// Gives each collection's table the indexes its declaration asks for, as the server's has them, so the
    /// replica's reads by those fields (a dashboard's measurements by KPI) need not scan the whole table.
    static func addDeclaredIndexes(_ catalog: Catalog, in db: Database) throws {
        for schema in catalog.collections {
            for index in schema.indexes {
                let columns = index.fields.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
                let predicate = index.only.map { " WHERE \($0.field.quotedDatabaseIdentifier) = '\($0.value.replacingOccurrences(of: "'", with: "''"))'" } ?? ""
                let name = "\(schema.name)_\(index.name)_idx".quotedDatabaseIdentifier
                try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(name) ON \(schema.quotedTable) (\(columns))\(predicate)")
            }
        }
    }

    static func createTables(for schema: CollectionSchema, in db: Database) throws {
        let columns = schema.fields.map { "\($0.name.quotedDatabaseIdentifier) \($0.type.sqliteType)" }.joined(separator: ",\n    ")
        try db.execute(sql: """
            CREATE TABLE \(schema.quotedTable) (
                id TEXT PRIMARY KEY NOT NULL,
                \(columns),
                _seq INTEGER NOT NULL DEFAULT 0,
                _created_by TEXT,
                _updated_by TEXT,
                _updated_at TEXT,
                _snapshot INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE \(schema.quotedShadowTable) (
                id TEXT PRIMARY KEY NOT NULL,
                \(columns),
                _seq INTEGER NOT NULL DEFAULT 0,
                _exists INTEGER NOT NULL,
                _snapshot INTEGER NOT NULL DEFAULT 0
            );
            """)
        try ReplicaChecksums.install(for: schema, in: db)
    }
}
