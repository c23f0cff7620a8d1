import NIOCore
import Hummingbird
import AccordCore
import PostgresNIO
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The OpenAPI description")
struct OpenAPITests {
    /// `METHOD /path` for every operation in docs/openapi.yaml, as Hummingbird describes routes.
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations: Set<String> = []
        var currentPath: String?
        var inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line.hasPrefix("paths:"); currentPath = nil; continue }
            guard inPaths else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " }.count
            if indent == 2, trimmed.hasPrefix("/"), trimmed.hasSuffix(":") {
                currentPath = String(trimmed.dropLast())
            } else if indent == 4, let path = currentPath,
                      let method = ["get", "post", "put", "patch", "delete"].first(where: { trimmed == "\($0):" }) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndNothingElse() async throws {
        try await TestServer.with { server in
            let served = try await server.send(.get, "/openapi.yaml")
            #expect(served.status == .ok)
            let documented = Self.documentedOperations(String(buffer: served.body))
            // The web app's pages under /app, and / which leads there, are HTML for browsers, not part of the API.
            let api = server.server.api.buildRouter().routes.filter { !$0.path.description.hasPrefix("/app") && $0.path.description != "/" }
            let routes = Set(api.map { "\($0.method) \($0.path)" })
            #expect(routes.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
        }
    }

    /// The property names of the schema `name` under components/schemas.
    static func schemaProperties(_ name: String, in yaml: String) -> [String]? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "    \(name):"[...]) else { return nil }
        var properties: [String] = []
        for line in lines[(start + 1)...] {
            let indent = line.prefix { $0 == " " }.count
            if indent <= 4 { break }
            if indent == 8, let colon = line.firstIndex(of: ":") { properties.append(line[..<colon].trimmingCharacters(in: .whitespaces)) }
        }
        return properties
    }

    @Test func theRecordRoutesDescribeEveryCollectionOfTheCatalog() throws {
        let yaml = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/AccordServerTests/OpenAPITests.swift", with: "docs/openapi.yaml"), encoding: .utf8)
        let lines = yaml.split(separator: "\n")
        let parameter = try #require(lines.firstIndex(of: "    collection:"))
        let enumLine = try #require(lines[parameter...].first { $0.contains("enum: [") })
        let listed = enumLine.split(separator: "[").last?.split(separator: "]").first?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(listed == Catalog.builtIn.names, "the collection parameter lists the catalog's collections")
        func enumeration(_ parameter: String) throws -> [String]? {
            let start = try #require(lines.firstIndex(of: "    \(parameter):"))
            let line = try #require(lines[start...].first { $0.contains("enum: [") })
            return line.split(separator: "[").last?.split(separator: "]").first?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let collections = Catalog.builtIn.collections
        #expect(try enumeration("creatableCollection") == collections.filter { !$0.serverCreated && !$0.appendOnly }.map(\.name))
        #expect(try enumeration("editableCollection") == collections.filter { !$0.appendOnly && $0.fields.contains { !$0.serverOwned } }.map(\.name))
        for schema in Catalog.builtIn.collections {
            let documented = Self.schemaProperties("\(schema.name)_fields", in: yaml)
            #expect(documented.map(Set.init) == Set(schema.fields.map(\.name)), "\(schema.name)_fields documents each field of \(schema.name)")
        }
    }

    @Test func theProtocolsTableOfCollectionsIsTheCatalog() throws {
        let text = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/AccordServerTests/OpenAPITests.swift", with: "docs/sync-protocol.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Collections and records").dropFirst().first?.components(separatedBy: "\n## ").first)
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) }
        #expect(rows == Catalog.builtIn.names, "docs/sync-protocol.md lists the built-in catalog's collections")
    }
}
