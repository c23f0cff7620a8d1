import AccordClient
import AccordCore
import Foundation
import Testing

/// What `accord` prints, at 80 and 160 columns on a real terminal and into a pipe.
@Suite("What accord prints fits the terminal", .serialized)
struct OutputLayoutTests {
    enum Where: CustomStringConvertible {
        case terminal(Int)
        case pipe

        var width: Int {
            switch self {
            case .terminal(let columns): columns
            case .pipe: 80
            }
        }

        var description: String {
            switch self {
            case .terminal(let columns): "a \(columns)-column terminal"
            case .pipe: "a pipe"
            }
        }

        func run(_ arguments: [String], _ person: Person) async throws -> String {
            switch self {
            case .terminal(let columns): try await Accord.runOnTerminal(arguments, home: person.home, columns: columns).standardOutput
            case .pipe: try await Accord.runPiped(arguments, home: person.home).standardOutput
            }
        }
    }

    static let places: [Where] = [.terminal(80), .terminal(160), .pipe]

    @Test func tablesAndDoctorFitEveryWidthWithoutCellsTouchingOrCopyableTextBroken() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        let lena = Person(home: workspace.directory.appendingPathComponent("lena-with-a-rather-long-home-directory-name-for-paths"))
        #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
        #expect(try await lena.run("signup", server.url, "--email", "lena.fieldmarketing@field-teams.example", input: "lena's long password\n").status == 0)
        #expect(try await dana.run("use", "acme").status == 0)
        #expect(try await dana.run("members", "add", "lena.fieldmarketing@field-teams.example", "--role", "editor").status == 0)
        #expect(try await lena.run("invitations", "accept", "acme").status == 0)
        #expect(try await lena.run("use", "acme").status == 0)

        let long = "The regional trade show in Lyon was cancelled, so the MQL target for EMEA moved to the partner webinar series"
        let first = try await dana.json([String: FieldValue].self, "records", "notes", "new", "title=\(long)", "body=\(long)", "pinned=true")
        try await dana.run("records", "notes", "new", "title=Pipeline coverage")
        #expect(try await dana.run("sync").status == 0)
        #expect(try await lena.run("sync").status == 0)
        let id = try #require(first["id"]?.description)
        try await dana.run("records", "notes", "set", id, "body=Moved to the Q4 webinar series after the July budget cut")
        try await lena.run("records", "notes", "set", id, "body=Kept in Q3; Lyon's partner event replaces the show")
        #expect(try await dana.run("sync").status == 0)
        #expect(try await lena.run("sync").status == 4, "the body conflicts")

        let replica = AccordHome(directory: lena.home).replicaFile(for: try AccordHome(directory: lena.home).loadConfig().organization("acme").id)
        for place in Self.places {
            let notes = try await place.run(["records", "notes"], lena)
            Layout.check(notes, width: place.width, rows: 2)
            #expect(!notes.contains("null"), "an empty subject shows nothing on \(place)")
            #expect(notes.contains("Q3 MQL dip"), "the demo's notes came with the snapshot: \(notes)")
            #expect(notes.split(separator: "\n").first?.contains("PINNED") == true, "every field fits on \(place): \(notes)")
            #expect(notes.contains(String(id.prefix(8)) + "  "), "the short id is whole on \(place)")

            let members = try await place.run(["members"], lena)
            Layout.check(members, width: place.width, rows: 2)
            #expect(members.contains("lena.fieldmarketing@field-teams.example  "), "emails are whole on \(place): \(members)")

            let orgs = try await place.run(["orgs"], dana)
            Layout.check(orgs, width: place.width, rows: 3)
            let acme = try AccordHome(directory: dana.home).loadConfig().organization("acme").id.lowercasedText
            #expect(orgs.contains(acme), "the org's id is whole on \(place): \(orgs)")

            let conflicts = try await place.run(["conflicts"], lena)
            Layout.check(conflicts, width: place.width, rows: 1)
            #expect(conflicts.contains("field") && conflicts.contains("body"), "\(conflicts)")

            let doctor = try await place.run(["doctor"], lena)
            let lines = doctor.split(separator: "\n")
            #expect(lines.contains { $0.contains(replica.path) }, "the replica's path is on one line on \(place): \(doctor)")
            #expect(lines.filter { !$0.contains(replica.path) }.allSatisfy { $0.count <= place.width }, "\(doctor)")
        }
        let narrow = try await Accord.runOnTerminal(["records", "notes"], home: lena.home, columns: 40).standardOutput
        #expect(narrow.contains("Not shown for lack of width:"), "columns left out are named: \(narrow)")
        Layout.check(narrow, width: 40, rows: 2)
    }

    @Test func aLongListShowsOneScreenOnATerminalAndEveryRowElsewhere() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let person = Person(home: workspace.directory.appendingPathComponent("offline"))
        let home = AccordHome(directory: person.home)
        let acme = KnownOrganization(id: UUID(), slug: "acme", name: "Acme", role: .editor)
        try home.saveConfig(ClientConfig(defaultOrganization: acme.id, organizations: [acme]))
        let replica = try Replica(at: home.replicaFile(for: acme.id), organization: acme.id)
        for index in 1...60 {
            try await replica.create("notes", ["title": .text(String(format: "note %03d", index)), "pinned": .bool(index % 3 == 0)])
        }
        try replica.close()
        func rows(_ output: String) -> [Substring] { output.split(separator: "\n").filter { $0.contains("note ") } }

        let page = try await Accord.runOnTerminal(["records", "notes"], home: person.home, columns: 100, lines: 24).standardOutput
        #expect(rows(page).count == 18, "a screen of 24 lines shows 18 rows: \(page)")
        #expect(page.contains("Showing 18 of 60 notes.") && page.contains("accord records notes --all"), "\(page)")
        Layout.check(page, width: 100, rows: 18)
        let all = try await Accord.runOnTerminal(["records", "notes", "--all"], home: person.home, columns: 100)
        #expect(rows(all.standardOutput).count == 60 && !all.standardOutput.contains("Showing"))
        #expect(rows(try await Accord.runPiped(["records", "notes"], home: person.home).standardOutput).count == 60, "a pipe gets every row")
        #expect(rows(try await person.run("records", "notes", "--limit", "5").standardOutput).count == 5)

        let filtered = rows(try await person.run("records", "notes", "--where", "pinned=true", "--where", "title~NOTE 05", "--sort", "title:desc").standardOutput)
        let titles = filtered.compactMap { line in line.range(of: #"note \d{3}"#, options: .regularExpression).map { String(line[$0]) } }
        #expect(titles == ["note 057", "note 054", "note 051"], "pinned, containing 'note 05' in any case, largest first")

        let json = try await person.json([[String: FieldValue]].self, "records", "notes", "--sort=-title", "--limit", "3")
        #expect(json.map { $0["title"] } == [.text("note 060"), .text("note 059"), .text("note 058")])
        #expect(try await person.json([[String: FieldValue]].self, "records", "notes").count == 60, "--json streams every record")
        let unknown = try await person.run("records", "notes", "--where", "colour=red")
        #expect(unknown.status == 1 && unknown.standardError.contains("colour is not a field of notes"))
    }
}
