import AccordCore
import AccordServer
import Foundation
import PostgresNIO
import Testing

@Suite("Collection tables made from their declarations")
struct CollectionTableTests {
    /// A collection as wide as the domain's, with every field type and an index, beside the built-in ones.
    static let wide = CollectionSchema(
        name: "kpi_targets",
        fields: [
            FieldSchema("kpi", .reference, .lww, required: true), FieldSchema("label", .text, .lww, maxLength: 120),
            FieldSchema("value", .real, .lww), FieldSchema("count", .integer, .lww), FieldSchema("approved", .boolean, .review),
            FieldSchema("starts_at", .timestamp, .lww), FieldSchema("owner", .uuid, .lww), FieldSchema("phasing", .json, .lww),
            FieldSchema("period_start", .date, .lww),
        ],
        indexes: [CollectionIndex("kpi", on: ["kpi"])]
    )

    @Test func everyCollectionOfTheCatalogMatchesPostgreSQLsOwnCatalog() async throws {
        let catalog = try Catalog.builtIn.adding(Self.wide)
        try await TestDatabase.with { database in
            try await Migrator(endpoint: database.owner, migrations: try Migration.bundled(), catalog: catalog, logger: testLogger).migrate()
            try await TestDatabase.withConnection(to: database.owner) { connection in
                for schema in catalog.collections {
                    let columns = try await rows(
                        connection, "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = \(schema.name) ORDER BY ordinal_position"
                    )
                    let declared = schema.fields.map { [$0.name, Self.postgresTypes[$0.type.rawValue] ?? "?"] }
                    #expect(columns.filter { row in schema.fields.contains { $0.name == row[0] } } == declared, "\(schema.name)'s fields")
                    #expect(columns.map { $0[0] }.prefix(3) == ["org_id", "id", "seq"])
                    #expect(Set(columns.map { $0[0] }).isSuperset(of: ["field_seqs", "field_stamps", "deleted_seq", "created_by", "updated_at"]))
                    #expect(columns.count == schema.fields.count + 13, "\(schema.name): \(columns.map { $0[0] })")

                    let key = try await rows(connection, """
                        SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                        WHERE i.indrelid = \(schema.name)::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
                        """)
                    #expect(key == [["org_id"], ["id"]], "\(schema.name)'s key")
                    let security = try await rows(
                        connection, "SELECT relrowsecurity::text, relforcerowsecurity::text FROM pg_class WHERE relname = \(schema.name)"
                    )
                    #expect(security == [["true", "true"]], "\(schema.name) has row-level security, enabled and forced")
                    let policies = try await rows(connection, "SELECT policyname::text, qual::text, with_check::text FROM pg_policies WHERE tablename = \(schema.name)")
                    #expect(policies == [["\(schema.name)_tenant", "(org_id = accord_current_org())", "(org_id = accord_current_org())"]])
                    let grants = try await rows(connection, """
                        SELECT privilege_type::text FROM information_schema.role_table_grants
                        WHERE table_name = \(schema.name) AND grantee = 'accord_app' ORDER BY privilege_type
                        """)
                    #expect(grants.map { $0[0] } == ["DELETE", "INSERT", "SELECT", "UPDATE"])
                }
                let indexes = try await rows(connection, "SELECT indexdef::text FROM pg_indexes WHERE tablename IN ('conflicts', 'kpi_targets') AND indexname LIKE '%_idx'")
                #expect(Set(indexes.map { $0[0] }.map { $0.replacingOccurrences(of: "public.", with: "") }) == [
                    #"CREATE INDEX conflicts_open_idx ON conflicts USING btree (org_id, collection, record_id) WHERE (status = 'open'::text)"#,
                    "CREATE INDEX kpi_targets_kpi_idx ON kpi_targets USING btree (org_id, kpi)",
                ])
            }
        }
    }

    @Test func aFieldCanBeAddedButNotRemovedRenamedOrRetyped() async throws {
        let version1 = CollectionSchema(name: "experiments", fields: [FieldSchema("name", .text, .lww, required: true), FieldSchema("points", .integer, .lww)])
        var version2 = version1
        version2.fields.append(FieldSchema("stop_on", .timestamp, .lww, added: true))
        try await TestDatabase.with { database in
            func migrate(_ schema: CollectionSchema) async throws {
                try await Migrator(endpoint: database.owner, migrations: try Migration.bundled(), catalog: try Catalog.builtIn.adding(schema), logger: testLogger).migrate()
            }
            try await migrate(version1)
            try await migrate(version1)
            var unmarked = version1
            unmarked.fields.append(FieldSchema("stop_on", .timestamp, .lww))
            await #expect { try await migrate(unmarked) } throws: { "\($0)".contains("declare it with `added: true`") }
            try await migrate(version2)
            let columns: () async throws -> [[String]] = { try await TestDatabase.withConnection(to: database.owner) { connection in
                try await self.rows(connection, "SELECT column_name::text, is_nullable::text FROM information_schema.columns WHERE table_name = 'experiments' AND column_name IN ('name', 'points', 'stop_on') ORDER BY column_name")
            } }
            #expect(try await columns() == [["name", "NO"], ["points", "YES"], ["stop_on", "YES"]], "the new field's column is added, nullable")

            var removed = version2
            removed.fields.removeAll { $0.name == "points" }
            await #expect { try await migrate(removed) } throws: { error in
                "\(error)".contains("column 'points' that the declaration no longer has") && "\(error)".contains("add a new field instead")
            }
            var retyped = version2
            retyped.fields[1] = FieldSchema("points", .real, .lww)
            await #expect { try await migrate(retyped) } throws: { error in
                "\(error)".contains("field 'points' of 'experiments' is bigint in the database but declared double precision")
            }
            var renamedAndAdded = version2
            renamedAndAdded.fields[1] = FieldSchema("score", .integer, .lww, added: true)
            await #expect(throws: CollectionSchemaError.self) { try await migrate(renamedAndAdded) }
            #expect(try await columns() == [["name", "NO"], ["points", "YES"], ["stop_on", "YES"]], "a refused start changes nothing")
        }
    }

    /// What `information_schema` should say of each field type, written out rather than derived.
    static let postgresTypes: [String: String] = [
        "text": "text", "reference": "text", "integer": "bigint", "real": "double precision", "boolean": "boolean",
        "timestamp": "timestamp with time zone", "uuid": "uuid", "json": "jsonb", "date": "date",
    ]

    private func rows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [[String]] {
        var result: [[String]] = []
        for try await row in try await connection.query(query, logger: testLogger) {
            result.append(try row.makeRandomAccess().map { try $0.decode(String?.self) ?? "" })
        }
        return result
    }
}
