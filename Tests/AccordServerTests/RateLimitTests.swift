import Foundation
import NIOCore
import Hummingbird
import PostgresNIO
import HummingbirdTesting
import AccordCore
import AccordServer
import HTTPTypes
import Synchronization
import Testing

@Suite("Login rate limits")
struct RateLimitTests {
    @Test func anAccountIsSlowedDownNotShutOutAndTheRightfulUserGetsInAfterOneWait() async throws {
        let clock = SettableClock()
        let limits = LoginLimits(window: .seconds(600), perAccount: 3, perAddress: 100, longestAccountWait: .seconds(8), clock: clock.now)
        try await TestServer.with(loginLimits: limits) { server in
            _ = try await server.signup("ana@example.com")
            let wrong = LoginRequest(email: "ana@example.com", password: "wrong password")
            for _ in 0..<3 {
                #expect(try await server.send(.post, "/v1/auth/login", json: wrong).status == .unauthorized)
            }
            // Each failure past the allowance doubles the wait, up to the longest.
            var waits: [Int] = []
            for _ in 0..<6 {
                let limited = try await server.send(.post, "/v1/auth/login", json: wrong)
                #expect(limited.status == .tooManyRequests)
                #expect(try limited.error.details["scope"] == "account")
                let wait = try #require(limited.headers[.retryAfter].flatMap(Int.init))
                waits.append(wait)
                clock.advance(by: wait)
                #expect(try await server.send(.post, "/v1/auth/login", json: wrong).status == .unauthorized)
            }
            #expect(waits == [1, 2, 4, 8, 8, 8])

            let early = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
            #expect(early.status == .tooManyRequests, "the right password waits too, or a guess could tell it apart")
            clock.advance(by: 8)
            let rightful = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
            #expect(rightful.status == .ok, "never shut out: one wait, then in")
            #expect(try await server.send(.post, "/v1/auth/login", json: wrong).status == .unauthorized, "success cleared the failures")

            _ = try await server.signup("bo@example.com")
            let other = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "bo@example.com", password: "correct horse battery"))
            #expect(other.status == .ok, "another account from the same address is still under its limits")
        }
    }

    @Test func concurrentGuessesAreCountedBeforeAnyPasswordIsHashed() async throws {
        let clock = SettableClock()
        let limits = LoginLimits(window: .seconds(600), perAccount: 3, perAddress: 100, clock: clock.now)
        try await TestServer.with(loginLimits: limits) { server in
            _ = try await server.signup("ana@example.com")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "wrong password")).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 9, "\(statuses)")
        }
    }

    @Test func theAddressComesFromTheTrustedProxyHeaderOnlyWhenOneIsConfigured() async throws {
        let limits = LoginLimits(window: .seconds(600), perAccount: 100, perAddress: 2)
        @Sendable func guess(_ index: Int) -> LoginRequest { LoginRequest(email: "guess\(index)@example.com", password: "password guess") }
        try await TestServer.with(loginLimits: limits, adjust: { $0.trustedProxyHeader = "X-Forwarded-For" }) { server in
            let forwarded = HTTPField.Name("X-Forwarded-For")!
            for index in 0..<2 {
                let headers: HTTPFields = [forwarded: "203.0.113.9, 198.51.100.1"]
                #expect(try await server.send(.post, "/v1/auth/login", json: guess(index), headers: headers).status == .unauthorized)
            }
            let limited = try await server.send(.post, "/v1/auth/login", json: guess(3), headers: [forwarded: "10.0.0.1, 198.51.100.1"])
            #expect(limited.status == .tooManyRequests, "the proxy's entry is the last one; earlier ones are the client's to forge")
            let otherClient = try await server.send(.post, "/v1/auth/login", json: guess(4), headers: [forwarded: "198.51.100.2"])
            #expect(otherClient.status == .unauthorized, "behind one proxy, each client has its own count")
        }
        try await TestServer.with(loginLimits: limits) { server in
            let forwarded = HTTPField.Name("X-Forwarded-For")!
            for index in 0..<2 {
                let headers: HTTPFields = [forwarded: "198.51.100.\(index)"]
                #expect(try await server.send(.post, "/v1/auth/login", json: guess(index), headers: headers).status == .unauthorized)
            }
            let limited = try await server.send(.post, "/v1/auth/login", json: guess(3), headers: [forwarded: "198.51.100.7"])
            #expect(limited.status == .tooManyRequests, "with no trusted header, a forged one changes nothing")
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
        try await TestServer.with(loginLimits: LoginLimits(window: .seconds(600), perAccount: 3, perAddress: 7)) { server in
            _ = try await server.signup("ana@example.com")
            for round in 0..<3 {
                for _ in 0..<2 {
                    try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "wrong password"))
                }
                let login = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
                #expect(login.status == .ok, "round \(round): successes do not count against the address")
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

/// A clock that stands still until a test moves it.
final class SettableClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: @Sendable () -> Date { { self.current.withLock { $0 } } }

    func advance(by seconds: Int) {
        current.withLock { $0 += TimeInterval(seconds) }
    }
}
