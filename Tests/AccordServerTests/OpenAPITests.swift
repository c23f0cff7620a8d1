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
            let routes = Set(server.server.api.buildRouter().routes.map { "\($0.method) \($0.path)" })
            #expect(routes.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
        }
    }
}
