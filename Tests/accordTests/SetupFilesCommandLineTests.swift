import AccordClient
import AccordCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

extension ConsultancyCommandLineTests {
    @Suite("An organization's setup as files with the accord command line", .serialized)
    struct SetupFilesCommandLineTests {
        struct Exported: Decodable {
            var directory: String
            var files: [String]
            var records: [String: Int]
        }

        struct Status: Decodable {
            var status: SyncStatus
        }

        struct Planned: Decodable {
            var action: String
            var kind: String
            var name: String
            var fields: [String]
            var refused: String?
        }

        /// The demo's acme exported, imported into a new organization, exported again: the same files; then an
        /// edited definition imported back into acme becomes a proposal; a dry run queues nothing; a bad file is
        /// reported with its file and line.
        @Test func aRoundTripGivesTheSameFilesAndAnEditedDefinitionBecomesAProposal() async throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let server = try await RunningServer.start(in: workspace)
            defer { server.stop() }
            let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
            #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
            try await Self.createOrganization("initech", server: server.url)
            #expect(try await dana.run("orgs").status == 0)
            for org in ["acme", "initech"] { #expect(try await dana.run("sync", "--org", org).status == 0) }

            let first = workspace.directory.appendingPathComponent("acme-setup")
            let exported = try await dana.json(Exported.self, "export", "--org", "acme", "--dir", first.path)
            #expect(exported.files.contains("definitions.yaml") && exported.files.contains("accord.lock"))
            #expect(exported.records["kpis"] == 12 && exported.records["plays"] == 5)

            let dry = try await dana.json([Planned].self, "import", first.path, "--org", "initech", "--dry-run")
            #expect(dry.count == exported.records.values.reduce(0, +) && dry.allSatisfy { $0.action == "create" })
            #expect(try await dana.json(Status.self, "status", "--org", "initech").status.pending == 0, "a dry run queues nothing")

            let applied = try await dana.json([Planned].self, "import", first.path, "--org", "initech")
            #expect(applied.allSatisfy { $0.refused == nil })
            #expect(try await dana.run("sync", "--org", "initech").status == 0)
            #expect(try await dana.json(Status.self, "status", "--org", "initech").status.rejections == 0)
            let second = workspace.directory.appendingPathComponent("initech-setup")
            _ = try await dana.json(Exported.self, "export", "--org", "initech", "--dir", second.path)
            for file in exported.files where file != "accord.lock" {
                let a = try String(contentsOf: first.appendingPathComponent(file), encoding: .utf8)
                let b = try String(contentsOf: second.appendingPathComponent(file), encoding: .utf8)
                #expect(a == b, "\(file) differs after the round trip")
            }
            #expect(try await dana.json([Planned].self, "import", second.path, "--org", "initech", "--dry-run").allSatisfy { $0.action == "unchanged" })

            // An edited definition is proposed, not certified.
            let definitions = first.appendingPathComponent("definitions.yaml")
            let text = try String(contentsOf: definitions, encoding: .utf8)
            try text.replacingOccurrences(of: "Form fills alone are not MQLs.", with: "Form fills and webinar sign-ups alone are not MQLs.")
                .write(to: definitions, atomically: true, encoding: .utf8)
            let edit = try await dana.json([Planned].self, "import", first.path, "--org", "acme", "--rationale", "The pack's wording.")
            #expect(edit.filter { $0.action != "unchanged" }.map { "\($0.action) \($0.kind) \($0.name) \($0.fields)" } == [#"propose definitions MQL ["body"]"#])
            #expect(try await dana.run("sync", "--org", "acme").status == 0)
            let detail = try await dana.json(DefinitionDetail.self, "def", "show", "MQL", "--org", "acme")
            #expect(detail.version?.body?.contains("webinar") == false, "the certified text stays")
            #expect(detail.proposals.contains { $0.body?.contains("webinar sign-ups") == true && $0.rationale == "The pack's wording." })

            // A file that does not parse: its name and line, and nothing queued.
            let kpis = first.appendingPathComponent("kpis.yaml")
            let lines = try String(contentsOf: kpis, encoding: .utf8).components(separatedBy: "\n")
            let broken = try #require(lines.firstIndex { $0.hasPrefix("  aggregation:") })
            try lines.enumerated().map { $0.offset == broken ? "  aggregation: [sum" : $0.element }.joined(separator: "\n").write(to: kpis, atomically: true, encoding: .utf8)
            let refused = try await Accord.run(["import", first.path, "--org", "acme"], home: dana.home)
            #expect(refused.status == 1)
            #expect(refused.standardError.contains("kpis.yaml:\(broken + 1)") || refused.standardError.contains("kpis.yaml:\(broken + 2)"), "\(refused.standardError)")
            #expect(refused.standardError.contains("nothing was queued"))
            #expect(try await dana.json(Status.self, "status", "--org", "acme").status.pending == 0)

            // A record the rules refuse holds back what refers to it; a record missing a required field is the file's problem.
            let midMarket = workspace.directory.appendingPathComponent("mid-market")
            try FileManager.default.createDirectory(at: midMarket, withIntermediateDirectories: true)
            try "Win the mid-market:\n  horizon: someday\n  kind: growth\n  owner: team:RevOps\n  statement: Twice the pipeline.\n"
                .write(to: midMarket.appendingPathComponent("priorities.yaml"), atomically: true, encoding: .utf8)
            let constraint = "Deals stall in legal:\n  direction: above\n  kpi: mql_followup_hours\n  priority: Win the mid-market\n  threshold: 30\n"
            try constraint.write(to: midMarket.appendingPathComponent("constraints.yaml"), atomically: true, encoding: .utf8)
            let held = try await dana.json([Planned].self, "import", midMarket.path, "--org", "acme")
            #expect(held.map { "\($0.action) \($0.kind) \($0.name)" } == ["refused priorities Win the mid-market", "refused constraints Deals stall in legal"])
            #expect(held.first?.refused?.contains("someday") == true && held.last?.refused?.contains("needs priorities Win the mid-market") == true, "\(held)")
            #expect(try await dana.json(Status.self, "status", "--org", "acme").status.pending == 0, "nothing queued for the server to refuse")
            try constraint.replacingOccurrences(of: "  kpi: mql_followup_hours\n", with: "")
                .write(to: midMarket.appendingPathComponent("constraints.yaml"), atomically: true, encoding: .utf8)
            let incomplete = try await Accord.run(["import", midMarket.path, "--org", "acme", "--dry-run"], home: dana.home)
            #expect(incomplete.status == 1 && incomplete.standardError.contains("constraints.yaml:1") && incomplete.standardError.contains("kpi: is required"), "\(incomplete.standardError)")
        }

        /// A session token of the demo's consultant, from the API.
        static func demoToken(_ server: String) async throws -> String {
            var login = URLRequest(url: URL(string: server + "/v1/auth/login")!)
            login.httpMethod = "POST"
            login.httpBody = Data(#"{"email": "dana@northwind.example", "password": "accord-demo-password"}"#.utf8)
            return try SyncCoding.decoder().decode(IssuedToken.self, from: try await URLSession.shared.data(for: login).0).token
        }

        static func createOrganization(_ slug: String, server: String) async throws {
            let token = try await demoToken(server)
            var create = URLRequest(url: URL(string: server + "/v1/orgs")!)
            create.httpMethod = "POST"
            create.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            create.httpBody = Data(#"{"name": "Initech", "slug": "\#(slug)"}"#.utf8)
            let (_, response) = try await URLSession.shared.data(for: create)
            #expect((response as? HTTPURLResponse)?.statusCode == 201)
        }
    }
}
