import AccordClient
import AccordCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

extension ConsultancyCommandLineTests {
    @Suite("Template packs across client organizations with the accord command line", .serialized)
    struct PacksCommandLineTests {
        struct Published: Decodable {
            var pack: String
            var version: Int
        }

        typealias Planned = ConsultancyCommandLineTests.SetupFilesCommandLineTests.Planned

        struct OrgDrift: Decodable {
            var org: String
            var drift: PackDrift
        }

        struct Upgraded: Decodable {
            var plan: [Planned]
            var conflicts: [PackDrift.Record]
        }

        static let definitions = """
            MQL:
              body: A lead scored 60 or more.
              category: lifecycle_stage
              criteria:
              - field: lead_score
                op: '>='
                value: 60
              owner_team: RevOps
            """

        static let kpis = """
            mqls:
              aggregation: sum
              cumulative: true
              definition: MQL
              direction: higher_is_better
              grain: month
              kind: leading
              name: MQLs
              owner: team:Marketing
              tier: primary
              unit: count
            """

        /// The consultancy's rights: editors propose and owners decide definition changes, their own included
        /// (two-person teams).
        static let rights = """
            definition.change:
              decide: role:owner
              recommend:
              - role:editor
              separate_duties: false
            """

        /// Published to two clients; one client changes MQL through governance; the pack's next version changes MQL
        /// too, and the KPI's owner; drift shows both sides, and an upgrade proposes only what the client did not
        /// change, leaving the field both changed as a conflict.
        @Test func aPackAppliedToTwoClientsDriftsAndUpgradesWithoutOverwritingAdaptations() async throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let server = try await RunningServer.start(in: workspace)
            defer { server.stop() }
            let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
            #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
            for client in ["client-a", "client-b"] { try await ConsultancyCommandLineTests.SetupFilesCommandLineTests.createOrganization(client, server: server.url) }
            #expect(try await dana.run("orgs").status == 0)
            for org in ["northwind", "client-a", "client-b"] { #expect(try await dana.run("sync", "--org", org).status == 0) }

            let pack = workspace.directory.appendingPathComponent("standard")
            try FileManager.default.createDirectory(at: pack, withIntermediateDirectories: true)
            func write(_ file: String, _ text: String) throws { try text.write(to: pack.appendingPathComponent(file), atomically: true, encoding: .utf8) }
            try write("definitions.yaml", Self.definitions)
            try write("kpis.yaml", Self.kpis)
            try write("decision_rights.yaml", Self.rights)
            #expect(try await dana.json(Published.self, "packs", "publish", "standard", "--org", "northwind", "--from", pack.path).version == 1)
            #expect(try await dana.run("sync", "--org", "northwind").status == 0)

            for client in ["client-a", "client-b"] {
                let applied = try await dana.json([Planned].self, "packs", "apply", "standard", "--org", client)
                #expect(applied.map { "\($0.action) \($0.kind) \($0.name)" } == ["create definitions MQL", "create kpis mqls", "create decision_rights definition.change"])
                #expect(try await dana.run("sync", "--org", client).status == 0)
            }
            // Client A certifies the pack's MQL, then changes it through governance.
            #expect(try await dana.run("def", "approve", "MQL", "--org", "client-a").status == 0)
            #expect(try await dana.run("sync", "--org", "client-a").status == 0)
            #expect(try await dana.run("def", "propose", "MQL", "--org", "client-a", "--body", "A lead scored 70 or more.", "--rationale", "Our bar is higher.").status == 0)
            #expect(try await dana.run("sync", "--org", "client-a").status == 0)
            #expect(try await dana.run("def", "approve", "MQL", "--org", "client-a").status == 0)
            #expect(try await dana.run("sync", "--org", "client-a").status == 0)

            // The pack's version 2: a new body and criteria for MQL, and a new owner for the KPI.
            try write("definitions.yaml", Self.definitions.replacingOccurrences(of: "scored 60 or more.", with: "scored 65 or more, from a fit account.")
                .replacingOccurrences(of: "value: 60", with: "value: 65"))
            try write("kpis.yaml", Self.kpis.replacingOccurrences(of: "team:Marketing", with: "team:RevOps"))
            #expect(try await dana.json(Published.self, "packs", "publish", "standard", "--org", "northwind", "--from", pack.path, "--notes", "Stricter MQLs.").version == 2)
            #expect(try await dana.run("sync", "--org", "northwind").status == 0)

            let drift = try await dana.json([OrgDrift].self, "packs", "drift", "standard")
            #expect(drift.map(\.org) == ["client-a", "client-b"])
            let a = try #require(drift.first?.drift.records.first { $0.kind == "definitions" })
            #expect(a.state == .both && a.clientChanged.map(\.field) == ["body"] && a.packChanged.map(\.field) == ["body", "criteria"])
            #expect(a.conflicts.map(\.field) == ["body"] && a.conflicts.first?.client == .string("A lead scored 70 or more."))
            let b = try #require(drift.last?.drift.records.first { $0.kind == "definitions" })
            #expect(b.state == .packChanged && b.clientChanged.isEmpty)
            #expect(drift.allSatisfy { $0.drift.records.first { $0.kind == "kpis" }?.packChanged.map(\.field) == ["owner"] })
            for entry in drift {
                let reports = try await Self.served(server.url, "/v1/orgs/\(entry.org)/packs/drift", as: [PackReport].self)
                #expect(reports.compactMap(\.drift) == [entry.drift], "\(entry.org): the server's drift is the replica's")
            }
            let shown = try await Accord.runOnTerminal(["packs", "drift", "standard"], home: dana.home, columns: 80)
            #expect(shown.standardOutput.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(shown.standardOutput)")
            #expect(shown.standardOutput.contains("client-a: standard version 1 of 2"))
            #expect(shown.standardOutput.contains("A lead scored 70 or more."), "the conflict side by side")

            // The portfolio shows each client's pack drift, offline, as the server computes it.
            let portfolio = try await dana.json([PortfolioEntry].self, "portfolio")
            let packA = try #require(portfolio.first { $0.slug == "client-a" }?.packs.first)
            #expect(packA.pack == "standard" && packA.versions == [1] && packA.latest == 2 && packA.conflicts == 1 && packA.packChanged == 2 && packA.matches == 1)
            #expect(portfolio.first { $0.slug == "client-b" }?.packs.first?.conflicts == 0)
            let served = try await Self.served(server.url, "/v1/me/portfolio", as: [PortfolioEntry].self)
            let encoder = SyncCoding.encoder()
            for entry in portfolio {
                let theirs = try #require(served.first { $0.id == entry.id })
                #expect(String(decoding: try encoder.encode(entry.packs), as: UTF8.self) == String(decoding: try encoder.encode(theirs.packs), as: UTF8.self), "\(entry.slug)")
            }

            let upgrade = try await dana.json(Upgraded.self, "packs", "upgrade", "standard", "--org", "client-a")
            #expect(upgrade.plan.filter { $0.action != "unchanged" }.map { "\($0.action) \($0.kind) \($0.name) \($0.fields)" }
                    == [#"propose definitions MQL ["criteria"]"#, #"change kpis mqls ["owner"]"#])
            #expect(upgrade.conflicts.map(\.name) == ["MQL"])
            #expect(try await dana.run("sync", "--org", "client-a").status == 0)
            let detail = try await dana.json(DefinitionDetail.self, "def", "show", "MQL", "--org", "client-a")
            #expect(detail.version?.body == "A lead scored 70 or more.", "the client's adaptation stays certified")
            let proposal = try #require(detail.proposals.first)
            #expect(proposal.body == "A lead scored 70 or more." && proposal.criteria?.contains("65") == true, "only what the client did not change is proposed")
            let after = try await dana.json([OrgDrift].self, "packs", "drift", "standard")
            #expect(after.first?.drift.records.first { $0.kind == "kpis" }?.state == .matches, "the KPI took version 2")
            #expect(after.first?.drift.records.first { $0.kind == "definitions" }?.conflicts.map(\.field) == ["body"], "the conflict waits for a decision")

            // Decided: client A keeps its own MQL text; the record takes version 2 as its base.
            #expect(try await dana.json(Upgraded.self, "packs", "upgrade", "standard", "--org", "client-a", "--take", "ours").conflicts.isEmpty)
            #expect(try await dana.run("sync", "--org", "client-a").status == 0)
            let settled = try #require(try await dana.json([OrgDrift].self, "packs", "drift", "standard").first?.drift.records.first { $0.kind == "definitions" })
            #expect(settled.version == 2 && settled.conflicts.isEmpty && settled.state == .clientChanged, "\(settled)")
        }

        /// What the server answers Dana at `path`.
        static func served<Answer: Decodable>(_ server: String, _ path: String, as: Answer.Type) async throws -> Answer {
            let token = try await ConsultancyCommandLineTests.SetupFilesCommandLineTests.demoToken(server)
            var request = URLRequest(url: URL(string: server + path)!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            return try SyncCoding.decoder().decode(Answer.self, from: try await URLSession.shared.data(for: request).0)
        }
    }
}
