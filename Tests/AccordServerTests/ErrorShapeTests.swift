import PostgresNIO
import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Error responses")
struct ErrorShapeTests {
    @Test func malformedJSONSaysWhereItBroke() async throws {
        try await TestServer.with { server in
            let (token, _) = try await server.signup("ana@example.com")
            let response = try await server.send(.post, "/v1/orgs", token: token, json: #"{"name": x}"#)
            #expect(response.status == .badRequest)
            #expect(try response.error.code == "malformed_json")
            #expect(try response.error.message.contains("character 9"))
            let empty = try await server.client.execute(uri: "/v1/orgs", method: .post, headers: [.authorization: "Bearer \(token)"])
            #expect(empty.status == .badRequest)
        }
    }

    @Test func aMissingOrMistypedFieldIs422AndNamed() async throws {
        try await TestServer.with { server in
            let missing = try await server.send(.post, "/v1/auth/signup", json: #"{"email": "a@example.com", "name": "A"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.error.details["field"] == "password")
            let mistyped = try await server.send(.post, "/v1/auth/signup", json: #"{"email": "a@example.com", "password": 12, "name": "A"}"#)
            #expect(mistyped.status == .unprocessableContent)
            #expect(try mistyped.error.details["field"] == "password")
            #expect(try mistyped.error.message.contains("string"))
            let badEnum = try await server.send(.post, "/v1/auth/login", json: #"{"email": "not an email", "password": "x"}"#)
            #expect(badEnum.status == .unprocessableContent)
            #expect(try badEnum.error.details["field"] == "email")
        }
    }

    @Test func missingAndInvalidTokensAre401() async throws {
        try await TestServer.with { server in
            let missing = try await server.send(.get, "/v1/me")
            #expect(missing.status == .unauthorized)
            #expect(try missing.error.code == "unauthenticated")
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            let invalid = try await server.send(.get, "/v1/me", token: "acc_notarealtoken")
            #expect(invalid.status == .unauthorized)
            #expect(try invalid.error.code == "invalid_token")
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        try await TestServer.with(maxBodySize: 2048) { server in
            let (token, _) = try await server.signup("ana@example.com")
            let large = CreateOrganizationRequest(name: String(repeating: "a", count: 4096))
            let response = try await server.send(.post, "/v1/orgs", token: token, json: large)
            #expect(response.status == .contentTooLarge)
            #expect(try response.error.code == "body_too_large")
            #expect(try response.error.details["limit"] == "2048")
        }
    }

    @Test func anUnknownRouteIs404InTheSameShape() async throws {
        try await TestServer.with { server in
            let response = try await server.send(.get, "/v2/nothing")
            #expect(response.status == .notFound)
            #expect(try response.error.code == "not_found")
        }
    }

    @Test func aKnownPathAskedWithAnotherMethodIs405WithAllow() async throws {
        try await TestServer.with { server in
            let response = try await server.send(.init("TRACE")!, "/v1/orgs/acme/members/someone")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "DELETE, PATCH")
            #expect(try response.error.code == "method_not_allowed")
        }
    }

    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "SELECT password_hash FROM users -- internal detail" }
    }

    @Test func anUnexpectedErrorIs500WithARequestIdAndNoInternals() async throws {
        let router = Router(context: AccordRequestContext.self)
        router.add(middleware: ErrorMiddleware<AccordRequestContext>(maxBodySize: 1024))
        router.get("fail") { _, _ -> String in throw SecretFailure() }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/fail", method: .get)
            #expect(response.status == .internalServerError)
            let error = try response.error
            #expect(error.code == "internal_error")
            let requestID = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
            #expect(error.details["requestId"] == requestID)
            #expect(error.message.contains(requestID))
            #expect(!String(buffer: response.body).contains("SELECT"))
        }
    }
}
