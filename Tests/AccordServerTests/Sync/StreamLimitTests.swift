import AccordCore
import AccordServer
import Foundation
import Testing

/// Realtime streams end with the access they live on, are capped per user and in all, and are the only
/// connections the idle timeout leaves alone.
@Suite("Realtime streams bounded", .timeLimit(.minutes(6)))
struct StreamLimitTests {
    /// The end of a chunked response: the server ended the stream.
    static let streamEnd = "0\r\n\r\n"

    @Test func aStreamEndsWhenItsTokenIsRevoked() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (token, _) = try await live.acme(owner: "dana@example.com")
            // The first stream opens through the route, the second from the warm caches.
            let streams = [try await RawConnection.stream(to: live.url, token: token), try await RawConnection.stream(to: live.url, token: token)]
            defer { streams.forEach { $0.close() } }
            #expect(streams.allSatisfy { $0.text.contains("data: {\"seq\":0}") })
            #expect(try await live.status("POST", "v1/auth/logout", token: token) == 204)
            for stream in streams {
                #expect(await stream.waitFor(Self.streamEnd), "the stream ended: \(stream.text)")
            }
        }
    }

    @Test func aStreamEndsWhenItsMemberIsRemovedAndOthersGoOn() async throws {
        try await LiveServer.with(catalog: .withoutDirectory) { live in
            let (owner, _) = try await live.acme(owner: "dana@example.com")
            let (memberToken, member) = try await live.signup("bo@example.com")
            try await live.addMember("bo@example.com", role: .editor, to: "acme", token: owner)
            let members = try await RawConnection.stream(to: live.url, token: memberToken)
            let owners = try await RawConnection.stream(to: live.url, token: owner)
            defer { members.close(); owners.close() }
            try await live.removeMember(member.id, from: "acme", token: owner)
            #expect(await members.waitFor(Self.streamEnd), "the removed member's stream ended: \(members.text.debugDescription)")
            let created = try await live.answer("POST", "v1/orgs/acme/records/notes", token: owner, json: #"{"title": "after Bo left"}"#)
            #expect(created.status == 201)
            #expect(await owners.waitFor("data: {\"seq\":1}"), "the owner's stream goes on: \(owners.text)")
            #expect(!owners.text.contains(Self.streamEnd))
        }
    }

    @Test func streamsAreCappedPerUserAndInAllWithAClearError() async throws {
        try await LiveServer.with(tune: { $0.streamLimits = StreamLimits(total: 3, perUser: 2) }, catalog: .withoutDirectory) { live in
            let (dana, _) = try await live.acme(owner: "dana@example.com")
            let (bo, _) = try await live.signup("bo@example.com")
            let (cy, _) = try await live.signup("cy@example.com")
            try await live.addMember("bo@example.com", role: .viewer, to: "acme", token: dana)
            try await live.addMember("cy@example.com", role: .viewer, to: "acme", token: dana)
            var open = [try await RawConnection.stream(to: live.url, token: dana), try await RawConnection.stream(to: live.url, token: dana)]
            defer { open.forEach { $0.close() } }
            let third = try await RawConnection.stream(to: live.url, token: dana)
            defer { third.close() }
            #expect(third.text.hasPrefix("HTTP/1.1 429") && third.text.contains("\"too_many_streams\"") && third.text.contains("Retry-After"), "\(third.text)")

            open.append(try await RawConnection.stream(to: live.url, token: bo))
            #expect(open.last?.text.contains("data: {") == true)
            let overall = try await RawConnection.stream(to: live.url, token: cy)
            defer { overall.close() }
            #expect(overall.text.hasPrefix("HTTP/1.1 503") && overall.text.contains("\"busy\""), "\(overall.text)")

            // A closed stream gives its place back once the server sees the connection go.
            open.removeFirst().close()
            var reopened: RawConnection?
            for _ in 0..<200 where reopened == nil {
                let attempt = try await RawConnection.stream(to: live.url, token: cy)
                if attempt.text.contains("data: {") { reopened = attempt } else { attempt.close() }
            }
            defer { reopened?.close() }
            #expect(reopened != nil)
        }
    }

    @Test func idleConnectionsCloseButOpenStreamsStay() async throws {
        // Long enough that a loaded machine sends the half request before the connection counts as idle.
        try await LiveServer.with(tune: { $0.idleTimeout = .seconds(3) }, catalog: .withoutDirectory) { live in
            let (token, _) = try await live.acme(owner: "dana@example.com")
            let stream = try await RawConnection.stream(to: live.url, token: token)
            defer { stream.close() }
            let slow = try await RawConnection.open(to: live.url)
            defer { slow.close() }
            // On a loaded machine the server may already have closed it as idle, which is what this shows too.
            try? await slow.send("GET /health HTTP/1.1\r\nHost: accord\r\n")
            // A generous wait: on two cores under the whole suite, the server's idle timer can fire late.
            #expect(await slow.waitUntilClosed(timeout: .seconds(30)), "a request that never finishes arriving does not hold its connection")
            let silent = try await RawConnection.open(to: live.url)
            #expect(await silent.waitUntilClosed(timeout: .seconds(30)), "nor does a connection that never sends one")

            // The HTTP client may reuse a pooled connection the server has just closed as idle; a second try
            // opens a new one.
            let note = #"{"title": "while the others idled"}"#
            var created = try? await live.answer("POST", "v1/orgs/acme/records/notes", token: token, json: note)
            if created == nil { created = try await live.answer("POST", "v1/orgs/acme/records/notes", token: token, json: note) }
            #expect(created?.status == 201)
            #expect(await stream.waitFor("data: {\"seq\":1}"), "the stream outlived the idle timeout: \(stream.text)")
        }
    }
}
