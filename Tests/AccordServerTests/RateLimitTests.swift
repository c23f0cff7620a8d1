import NIOCore
import Hummingbird
import PostgresNIO
import HummingbirdTesting
import AccordCore
import AccordServer
import HTTPTypes
import Testing

@Suite("Login rate limits")
struct RateLimitTests {
    @Test func anAccountIsLockedAfterTooManyFailuresEvenForTheRightPassword() async throws {
        try await TestServer.with(loginLimits: LoginLimits(window: .seconds(600), perAccount: 3, perAddress: 100)) { server in
            _ = try await server.signup("ana@example.com")
            for _ in 0..<3 {
                let failure = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "wrong password"))
                #expect(failure.status == .unauthorized)
            }
            let limited = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.error.code == "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect((1...600).contains(retryAfter))

            _ = try await server.signup("bo@example.com")
            let other = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "bo@example.com", password: "correct horse battery"))
            #expect(other.status == .ok, "another account from the same address is still under its limits")
        }
    }

    @Test func anAddressIsLimitedAcrossAccounts() async throws {
        try await TestServer.with(loginLimits: LoginLimits(window: .seconds(600), perAccount: 100, perAddress: 4)) { server in
            for index in 0..<4 {
                let failure = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "guess\(index)@example.com", password: "password guess"))
                #expect(failure.status == .unauthorized)
            }
            let limited = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "guess9@example.com", password: "password guess"))
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.error.details["scope"] == "address")
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test func aSuccessfulLoginClearsTheAccountsFailures() async throws {
        try await TestServer.with(loginLimits: LoginLimits(window: .seconds(600), perAccount: 3, perAddress: 100)) { server in
            _ = try await server.signup("ana@example.com")
            for round in 0..<3 {
                for _ in 0..<2 {
                    try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "wrong password"))
                }
                let login = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
                #expect(login.status == .ok, "round \(round)")
            }
        }
    }

    @Test func oneAddressSignsUpOnlyItsShareOfAccountsAndConcurrentSignupsCannotSlipPast() async throws {
        try await TestServer.with(loginLimits: LoginLimits(signupsPerAddress: 3)) { server in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "user\(index)@example.com", password: "correct horse battery", name: "User"))
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 3, "\(statuses)")
            let refused = try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "late@example.com", password: "correct horse battery", name: "Late"))
            #expect(try refused.error.code == "rate_limited")
            #expect(try refused.error.details["scope"] == "signup")
            #expect(refused.headers[.retryAfter] != nil)
        }
    }
}
