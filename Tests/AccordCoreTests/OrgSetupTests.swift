@testable import AccordCore
import Foundation
import Testing

/// An organization's setup read into files' form, and imported again as ordinary changes.
@Suite struct OrgSetupTests {
    /// Collections as an organization's records, changed by follow-ups the way the write path would store them.
    struct Store {
        var collections: [String: [UUID: RecordFields]] = [:]

        func load(_ name: String) -> [UUID: RecordFields] { collections[name] ?? [:] }

        mutating func apply(_ plan: SetupPlan) {
            for change in plan.steps.flatMap(\.changes) {
                switch change.operation {
                case .create: collections[change.collection, default: [:]][change.recordID] = change.fields
                case .update: collections[change.collection]?[change.recordID]?.merge(change.fields) { _, new in new }
                case .delete: collections[change.collection]?[change.recordID] = nil
                }
            }
        }
    }

    /// A small setup: a certified definition, a KPI measuring it under a priority, a constraint, a play, an
    /// SLA, a dashboard, two targets (one for a segment) and a scoped right.
    static func sample() -> Store {
        var store = Store()
        let (definition, version, priority, kpi, constraint) = (UUID(), UUID(), UUID(), UUID(), UUID())
        store.collections["definitions"] = [definition: ["term": .text("MQL"), "category": .text("lifecycle_stage"), "owner_team": .text("RevOps"),
                                                           "current_version": .reference("definition_versions", version)]]
        store.collections["definition_versions"] = [version: [
            "definition": .reference("definitions", definition), "status": .text("approved"), "term": .text("MQL"), "body": .text("A lead scored 70.\nNo form fills."),
            "criteria": .text(#"[{"field":"lead_score","op":">=","value":70}]"#), "synonyms": .strings(["marketing qualified lead"]), "related": .strings([]),
            "rationale": .text("First."), "version": .text("1.0"),
        ]]
        store.collections["priorities"] = [priority: ["name": .text("Grow EMEA"), "kind": .text("growth"), "owner": .text("team:RevOps"), "status": .text("active")]]
        store.collections["kpis"] = [kpi: [
            "key": .text("mqls"), "name": .text("MQLs"), "definition": .reference("definitions", definition), "owner": .text("team:Marketing"),
            "aggregation": .text("sum"), "unit": .text("count"), "kind": .text("leading"), "tier": .text("primary"), "direction": .text("higher_is_better"),
            "grain": .text("month"), "cumulative": .bool(true), "priority": .reference("priorities", priority),
        ]]
        store.collections["constraints"] = [constraint: ["statement": .text("EMEA MQLs below 150"), "priority": .reference("priorities", priority),
                                                          "kpi": .reference("kpis", kpi), "segment": .text(#"{"region":"EMEA"}"#), "direction": .text("below"), "threshold": .double(150)]]
        store.collections["plays"] = [UUID(): ["name": .text("Partner webinars"), "owner": .text("team:Marketing"), "status": .text("active"), "capacity": .int(5),
                                                "constraint": .reference("constraints", constraint), "stop_on": .text("2026-12-31")]]
        store.collections["slas"] = [UUID(): ["name": .text("Follow up in a day"), "from_team": .text("Marketing"), "to_team": .text("Sales"),
                                               "kpi": .reference("kpis", kpi), "breached_when": .text("above"), "threshold": .double(24)]]
        store.collections["dashboards"] = [UUID(): ["name": .text("Board"), "grain": .text("quarter"), "tiles": .text(#"[{"kind":"number","kpi":"mqls"}]"#)]]
        store.collections["targets"] = [
            UUID(): ["kpi": .reference("kpis", kpi), "period": .text("2026-Q3"), "value": .double(900), "variance_kind": .text("percent"), "variance": .double(10)],
            UUID(): ["kpi": .reference("kpis", kpi), "period": .text("2026-Q3"), "segment": .text(#"{"region":"EMEA"}"#), "value": .double(300)],
        ]
        store.collections["decision_rights"] = [UUID(): ["decision_type": .text("definition.change"), "scope": .text("lifecycle_stage"),
                                                          "agree": .text(#"["team:Marketing","team:Sales"]"#), "decide": .text("team:RevOps")]]
        return store
    }

    @Test func aSetupReadsByNameWithReferencesAndJSONReadable() throws {
        let setup = try OrgSetup.read(catalog: .builtIn, load: Self.sample().load)
        #expect(setup.records["kpis"]?["mqls"]?["definition"] == .string("MQL"))
        #expect(setup.records["kpis"]?["mqls"]?["priority"] == .string("Grow EMEA"))
        #expect(setup.records["definitions"]?["MQL"]?["body"] == .string("A lead scored 70.\nNo form fills."))
        #expect(setup.records["definitions"]?["MQL"]?["criteria"] == .list([.map(["field": .string("lead_score"), "op": .string(">="), "value": .int(70)])]))
        #expect(Set(setup.records["targets"]?.keys ?? [:].keys) == ["mqls · 2026-Q3", #"mqls · 2026-Q3 · {"region":"EMEA"}"#])
        #expect(setup.records["decision_rights"]?["definition.change · lifecycle_stage"]?["agree"] == .list([.string("team:Marketing"), .string("team:Sales")]))
        #expect(setup.records["plays"]?["Partner webinars"]?["constraint"] == .string("EMEA MQLs below 150"))
        #expect(setup.ids["kpis"]?["mqls"] != nil && setup.versions["MQL"] != nil, "the ids go to the lock")
    }

    @Test func anImportIntoAnEmptyOrganizationReadsBackTheSame() throws {
        let setup = try OrgSetup.read(catalog: .builtIn, load: Self.sample().load)
        var empty = Store()
        let plan = try SetupPlan.make(wanted: setup, current: try OrgSetup.read(catalog: .builtIn, load: empty.load), catalog: .builtIn, rationale: "Imported.")
        #expect(plan.steps.allSatisfy { $0.action == .create })
        #expect(plan.steps.first { $0.kind == "definitions" }?.changes.map(\.collection) == ["definitions", "definition_versions"],
                "a new definition arrives as a proposal")
        empty.apply(plan)
        let again = try OrgSetup.read(catalog: .builtIn, load: empty.load)
        #expect(again.records == setup.records)
        let second = try SetupPlan.make(wanted: setup, current: again, catalog: .builtIn, rationale: "Imported.")
        #expect(second.steps.allSatisfy { $0.action == .unchanged }, "importing the same files again changes nothing")
    }

    @Test func aChangedDefinitionIsProposedAndOtherChangesAreUpdates() throws {
        var store = Self.sample()
        let current = try OrgSetup.read(catalog: .builtIn, load: store.load)
        var wanted = current
        wanted.records["definitions"]?["MQL"]?["body"] = .string("A lead scored 80.")
        wanted.records["definitions"]?["MQL"]?["owner_team"] = .string("Marketing")
        wanted.records["kpis"]?["mqls"]?["owner"] = .string("team:RevOps")
        wanted.records["kpis"]?["mqls"]?["priority"] = nil
        let plan = try SetupPlan.make(wanted: wanted, current: current, catalog: .builtIn, rationale: "From the pack.")
        let definition = try #require(plan.steps.first { $0.kind == "definitions" })
        #expect(definition.action == .propose && definition.fields == ["owner_team", "body"])
        let proposal = try #require(definition.changes.last)
        #expect(proposal.collection == "definition_versions" && proposal.operation == .create)
        #expect(proposal.fields["based_on"] == .reference("definition_versions", try #require(current.versions["MQL"])))
        #expect(proposal.fields["body"] == .text("A lead scored 80.") && proposal.fields["rationale"] == .text("From the pack."))
        let kpi = try #require(plan.steps.first { $0.kind == "kpis" })
        #expect(kpi.action == .change && kpi.fields == ["owner", "priority"])
        #expect(kpi.changes.first?.fields == ["owner": .text("team:RevOps"), "priority": .null], "a field the files drop is cleared")
        store.apply(plan)
        #expect(try OrgSetup.read(catalog: .builtIn, load: store.load).records["definitions"]?["MQL"]?["body"] == .string("A lead scored 70.\nNo form fills."),
                "the certified text stays until the proposal is approved")
    }

    @Test func badFilesAreProblemsNamingTheRecordAndField() throws {
        let current = try OrgSetup.read(catalog: .builtIn, load: Store().load)
        func problem(_ records: [String: [String: OrgSetup.Fields]]) -> SetupPlan.Problem? {
            do {
                _ = try SetupPlan.make(wanted: OrgSetup(records: records), current: current, catalog: .builtIn, rationale: "x")
                return nil
            } catch { return error }
        }
        #expect(problem(["kpis": ["mqls": ["colour": .string("red")]]])?.field == "colour")
        #expect(problem(["kpis": ["mqls": ["definition": .string("Nope")]]])?.reason.contains("'Nope'") == true)
        #expect(problem(["kpis": ["mqls": ["cumulative": .string("yes")]]])?.reason == "must be true or false")
        #expect(problem(["targets": ["ghost · 2026-Q3": ["value": .int(1)]]])?.reason.contains("kpis 'ghost'") == true)
    }

    @Test func everyKindNamesFieldsItsCollectionHas() throws {
        for kind in SetupKind.all {
            let schema = try Catalog.builtIn.schema(kind.collection)
            for field in kind.fields + kind.keyFields {
                #expect(schema.field(field) != nil || CollectionSchema.definitionVersions.field(field) != nil, "\(kind.name).\(field)")
            }
            for (field, target) in kind.references { #expect(SetupKind.named(target) != nil && schema.field(field)?.type == .reference, "\(kind.name).\(field)") }
        }
    }

    /// The schemas in docs/schemas are the ones the declarations give; `ACCORD_WRITE_SCHEMAS=1` writes them anew.
    @Test func theDocumentedSchemasAreTheDeclaredOnes() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/schemas")
        for kind in SetupKind.all {
            let file = folder.appendingPathComponent("\(kind.name).schema.json")
            let text = try SetupSchema.text(for: kind)
            if ProcessInfo.processInfo.environment["ACCORD_WRITE_SCHEMAS"] == "1" {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
            }
            #expect(try String(contentsOf: file, encoding: .utf8) == text, "\(file.lastPathComponent) is out of date: ACCORD_WRITE_SCHEMAS=1 scripts/test --filter OrgSetupTests")
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let record = try #require(parsed["additionalProperties"] as? [String: Any])
            #expect(Set((record["properties"] as? [String: Any])?.keys ?? [:].keys) == Set(kind.fields), "\(kind.name)")
        }
    }
}
