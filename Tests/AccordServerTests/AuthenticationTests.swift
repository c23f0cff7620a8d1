import NIOCore
import Hummingbird
import PostgresNIO
import HummingbirdTesting
import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import Testing

@Suite("Sign-up, login and tokens")
struct AuthenticationTests {
    @Test func signupIssuesATokenThatIdentifiesTheUser() async throws {
        try await TestServer.with { server in
            let (token, user) = try await server.signup("Ana@Example.com", name: "Ana")
            #expect(user.email == "ana@example.com")
            #expect(token.hasPrefix("acc_") && token.count >= 4 + 43, "256 bits in base64url are 43 characters")
            let me = try await server.send(.get, "/v1/me", token: token).decode(MeResponse.self)
            #expect(me.user == user)
            #expect(me.memberships.isEmpty)
        }
    }

    @Test func signupRefusesATakenEmailAndAWeakPassword() async throws {
        try await TestServer.with { server in
            _ = try await server.signup("ana@example.com")
            let taken = try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "ANA@example.com", password: "another long one", name: "A"))
            #expect(taken.status == .conflict)
            #expect(try taken.error.code == "email_taken")
            let weak = try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "bo@example.com", password: "short", name: "Bo"))
            #expect(weak.status == .unprocessableContent)
            #expect(try weak.error.details["field"] == "password")
        }
    }

    @Test func aPasswordIsNeverComparedByAPrefix() async throws {
        try await TestServer.with { server in
            let withNUL = try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "bo@example.com", password: "correct horse\u{0}battery", name: "Bo"))
            #expect(withNUL.status == .unprocessableContent)
            #expect(try withNUL.error.message.contains("NUL"))
            let tooLong = try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "bo@example.com", password: String(repeating: "x", count: 257), name: "Bo"))
            #expect(tooLong.status == .unprocessableContent)

            // Past bcrypt's 72 bytes every byte still counts: passwords differing only there are different.
            let passphrase = String(repeating: "é", count: 40)
            let long = try await server.send(.post, "/v1/auth/signup", json: SignupRequest(email: "cy@example.com", password: passphrase + "one", name: "Cy"))
            #expect(long.status == .created)
            let otherEnding = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "cy@example.com", password: passphrase + "two"))
            #expect(otherEnding.status == .unauthorized)
            let sameEnding = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "cy@example.com", password: passphrase + "one"))
            #expect(sameEnding.status == .ok)

            _ = try await server.signup("ana@example.com")
            for guess in ["correct horse battery\u{0}", "correct horse battery\u{0}anything", "correct horse battery" + String(repeating: "x", count: 60)] {
                let login = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: guess))
                #expect(login.status == .unauthorized, "\(guess.utf8.count) bytes")
            }
            let right = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
            #expect(right.status == .created || right.status == .ok)
        }
    }

    @Test func onlyTheTokenHashIsStored() async throws {
        try await TestServer.with { server in
            let (token, _) = try await server.signup("ana@example.com")
            let stored = try await TestDatabase.withConnection(to: server.database.owner) { connection in
                var hashes: [String] = []
                for try await hash in try await connection.query("SELECT encode(token_hash, 'hex') FROM tokens", logger: testLogger).decode(String.self) {
                    hashes.append(hash)
                }
                return hashes
            }
            #expect(stored.count == 1)
            #expect(stored[0].count == 64, "a SHA-256 digest in hex")
            #expect(!stored[0].contains(token) && !token.contains(stored[0]))
        }
    }

    @Test func loginChecksThePassword() async throws {
        try await TestServer.with { server in
            _ = try await server.signup("ana@example.com")
            let wrong = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "not the password"))
            #expect(wrong.status == .unauthorized)
            #expect(try wrong.error.code == "invalid_credentials")
            let unknown = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "nobody@example.com", password: "whatever it is"))
            #expect(unknown.status == .unauthorized)
            #expect(try unknown.error.message == wrong.error.message, "the answer must not reveal which emails exist")
            let right = try await server.send(.post, "/v1/auth/login", json: LoginRequest(email: "ana@example.com", password: "correct horse battery"))
            #expect(right.status == .ok)
            let issued = try right.decode(IssuedToken.self)
            #expect(issued.info.kind == .session)
            #expect(issued.info.expiresAt != nil)
            #expect(try await server.send(.get, "/v1/me", token: issued.token).status == .ok)
        }
    }

    @Test func tokensAreListedCreatedAndRevoked() async throws {
        try await TestServer.with { server in
            let (session, _) = try await server.signup("ana@example.com")
            let created = try await server.send(.post, "/v1/tokens", token: session, json: CreateTokenRequest(name: "laptop", expiresInDays: 30))
            #expect(created.status == .created)
            let personal = try created.decode(IssuedToken.self)
            #expect(personal.info.kind == .personal)
            #expect(personal.token != session)

            let listed = try await server.send(.get, "/v1/tokens", token: session).decode([TokenInfo].self)
            #expect(Set(listed.map(\.name)) == ["signup", "laptop"])
            #expect(listed.first { $0.current }?.name == "signup")
            #expect(listed.allSatisfy { !$0.prefix.isEmpty && personal.token.count > $0.prefix.count })

            #expect(try await server.send(.delete, "/v1/tokens/\(personal.info.id)", token: session).status == .noContent)
            let revoked = try await server.send(.get, "/v1/me", token: personal.token)
            #expect(revoked.status == .unauthorized)
            #expect(try revoked.error.code == "invalid_token")
            #expect(try await server.send(.get, "/v1/tokens", token: session).decode([TokenInfo].self).map(\.name) == ["signup"])
        }
    }

    @Test func aPersonalTokenExpiresUnlessAskedNotTo() async throws {
        try await TestServer.with { server in
            let (session, _) = try await server.signup("ana@example.com")
            let plain = try await server.send(.post, "/v1/tokens", token: session, json: CreateTokenRequest(name: "script")).decode(IssuedToken.self)
            let expires = try #require(plain.info.expiresAt)
            let days = expires.timeIntervalSince(plain.info.createdAt) / 86_400
            #expect(abs(days - Double(CreateTokenRequest.defaultLifetimeDays)) < 0.01, "\(days) days")
            let forever = try await server.send(.post, "/v1/tokens", token: session, json: CreateTokenRequest(name: "kiosk", neverExpires: true))
            #expect(try forever.decode(IssuedToken.self).info.expiresAt == nil)
            let both = try await server.send(.post, "/v1/tokens", token: session, json: CreateTokenRequest(name: "x", expiresInDays: 3, neverExpires: true))
            #expect(both.status == .unprocessableContent)
        }
    }

    @Test func aUserCannotRevokeAnotherUsersToken() async throws {
        try await TestServer.with { server in
            let (ana, _) = try await server.signup("ana@example.com")
            let (bo, _) = try await server.signup("bo@example.com")
            let boTokens = try await server.send(.get, "/v1/tokens", token: bo).decode([TokenInfo].self)
            let attempt = try await server.send(.delete, "/v1/tokens/\(boTokens[0].id)", token: ana)
            #expect(attempt.status == .notFound)
            #expect(try await server.send(.get, "/v1/me", token: bo).status == .ok)
        }
    }

    @Test func logoutRevokesTheCurrentToken() async throws {
        try await TestServer.with { server in
            let (token, _) = try await server.signup("ana@example.com")
            #expect(try await server.send(.post, "/v1/auth/logout", token: token).status == .noContent)
            #expect(try await server.send(.get, "/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func tokensTravelOnlyInTheAuthorizationHeader() async throws {
        try await TestServer.with { server in
            let (token, _) = try await server.signup("ana@example.com")
            let inQuery = try await server.send(.get, "/v1/me?access_token=\(token)")
            #expect(inQuery.status == .unauthorized)
            #expect(try inQuery.error.code == "unauthenticated")
            let wrongScheme = try await server.client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Token \(token)"])
            #expect(wrongScheme.status == .unauthorized)
        }
    }
}
