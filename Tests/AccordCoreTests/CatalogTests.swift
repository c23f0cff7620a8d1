import AccordCore
import Testing

@Suite("The catalog of collections")
struct CatalogTests {
    @Test func theBuiltInCatalogHoldsEveryProductionCollection() throws {
        let names = ["notes", "conflicts", "members", "team_rosters", "decision_rights", "definitions", "definition_versions", "proposal_responses", "decisions", "organization_settings", "kpis", "targets", "measurements", "dashboards", "priorities", "constraints", "plays", "slas", "reviews", "review_items", "packs", "pack_versions", "pack_adoptions"]
        #expect(Catalog.builtIn.names == names, "new collections come last, so replicas create their tables in order")
        #expect(Catalog.builtIn.named("notes")?.fields.map(\.name) == ["subject", "title", "body", "pinned"])
        #expect(throws: UnknownCollection(name: "experiments", known: names)) { try Catalog.builtIn.schema("experiments") }
        let wider = try Catalog.builtIn.adding(CollectionSchema(name: "kpi_measurements", fields: [FieldSchema("value", .real, .lww)]))
        #expect(wider.names == Catalog.builtIn.names + ["kpi_measurements"])
        #expect(Catalog.builtIn.named("kpi_measurements") == nil, "a catalog is a value: adding makes a new one")
        let name = "kpi_measurements"
        #expect(name.utf8.withContiguousStorageIfAvailable { wider.named(matching: UnsafeRawBufferPointer($0))?.name } == name)
    }

    @Test func aReservedColumnNameIsRefusedNamingTheField() {
        let clashing = CollectionSchema(name: "kpis", fields: [FieldSchema("title", .text, .lww), FieldSchema("seq", .integer, .lww)])
        #expect(clashing.declarationProblems == [
            "collection 'kpis': field 'seq' is the name of a bookkeeping column every synced table has; rename the field",
        ])
        #expect(throws: CatalogError.self) { try Catalog.builtIn.adding(clashing) }
        let replicaColumn = CollectionSchema(name: "kpis", fields: [FieldSchema("_seq", .integer, .lww)])
        #expect(replicaColumn.declarationProblems.count == 1 && replicaColumn.declarationProblems[0].contains("field '_seq'"))
    }

    @Test func namesThatCouldNotBecomeTablesAreRefused() {
        let cases: [(CollectionSchema, String)] = [
            (CollectionSchema(name: "outbox", fields: []), "collection 'outbox' takes the name of a table"),
            (CollectionSchema(name: "Targets", fields: []), "collection 'Targets' needs a name of lower-case letters"),
            (CollectionSchema(name: "targets", fields: [FieldSchema("value", .real, .lww), FieldSchema("value", .real, .lww)]),
             "field 'value' is declared twice"),
            (CollectionSchema(name: "targets", fields: [FieldSchema("due date", .text, .lww)]), "field 'due date' needs a name"),
        ]
        for (schema, problem) in cases {
            #expect(schema.declarationProblems.contains { $0.contains(problem) }, "\(schema.name): \(schema.declarationProblems)")
        }
        let badIndex = CollectionSchema(name: "targets", fields: [FieldSchema("kpi", .text, .lww)], indexes: [CollectionIndex("by_kpi", on: ["kpis"])])
        #expect(badIndex.declarationProblems == ["collection 'targets': index 'by_kpi' names 'kpis', which is not one of its fields"])
        #expect(!CollectionSchema(name: "grdb_migrations", fields: []).declarationProblems.isEmpty)
        #expect(throws: CatalogError.self) { try Catalog.builtIn.adding(CollectionSchema.notes) }
        #expect(throws: CatalogError.self) { try Catalog([CollectionSchema.notes]) }
    }

    @Test func addedFieldsComeLastSoTheirCountTellsAClientsVersion() throws {
        let misplaced = CollectionSchema(name: "experiments", fields: [FieldSchema("stop_on", .date, .lww, added: true), FieldSchema("name", .text, .lww)])
        #expect(misplaced.declarationProblems == ["collection 'experiments': field 'name' comes after a field added later; declare added fields last, in the order they were added"])
        let grown = try Catalog.builtIn.adding(CollectionSchema(name: "experiments", fields: [
            FieldSchema("name", .text, .lww), FieldSchema("points", .integer, .lww, added: true), FieldSchema("stop_on", .date, .lww, added: true),
        ]))
        #expect(grown.fieldsUnknown(to: grown.declaredFields).isEmpty)
        #expect(grown.fieldsUnknown(to: "notes=4;experiments=1") == ["experiments": ["points", "stop_on"]])
        #expect(grown.fieldsUnknown(to: "notes=4") == [:], "a client without the collection keeps none of its records")
        #expect(grown.fieldsUnknown(to: "garbage;experiments=x") == [:])
    }
}
