import AccordClient
import AccordCore
import AccordServer
import Foundation
import Testing

@Suite("Members and teams on the replica", .timeLimit(.minutes(5)))
struct DirectoryTests {
    @Test func memberAndTeamChangesReachReplicasWhichCannotEditThem() async throws {
        try await LiveServer.with { live in
            let (token, owner) = try await live.signup("fran@example.com")
            let org = try await live.createOrganization("acme", token: token)
            let replica = try TestReplica(live, token: token, org: org.id)
            defer { replica.remove() }
            #expect(try await replica.sync().verified)
            let me = try #require(try replica.replica.record("members", owner.id))
            #expect(me["role"] == .text("owner") && me["email"] == .text("fran@example.com") && me["teams"] == .text("[]"))
            #expect(Set(try replica.replica.records("team_rosters").compactMap { $0.fields["name"] }) == Set(StandardTeam.allCases.map { .text($0.rawValue) }))

            let (_, sam) = try await live.signup("sam@example.com")
            try await live.addMember("sam@example.com", role: .editor, to: org.slug, token: token)
            try await live.setTeams(["RevOps", "Sales"], of: sam.id, in: org.slug, token: token)
            let pulled = try await replica.sync()
            #expect(pulled.verified && pulled.pulled >= 3, "\(pulled)")
            #expect(try replica.replica.record("members", sam.id)?["teams"] == .text(#"["RevOps","Sales"]"#))
            let revOps = try #require(try replica.replica.records("team_rosters").first { $0.fields["name"] == .text("RevOps") })
            #expect(revOps.fields["members"] == .text("[\"\(sam.id.lowercasedText)\"]"))

            try await live.removeMember(sam.id, from: org.slug, token: token)
            #expect(try await replica.sync().verified)
            #expect(try replica.replica.record("members", sam.id) == nil, "a member who leaves leaves the replica too")
            #expect(try replica.replica.records("team_rosters").first { $0.fields["name"] == .text("RevOps") }?.fields["members"] == .text("[]"))

            await #expect(throws: ClientError.self, "members change through the member endpoints only") {
                try await replica.replica.update("members", owner.id, ["role": .text("viewer")])
            }
            await #expect(throws: ClientError.self) { try await replica.replica.delete("team_rosters", revOps.id) }
            #expect(try replica.replica.pendingCount() == 0)
        }
    }

    @Test func organizationsMadeBeforeTheDirectorySyncedGetItAtStart() async throws {
        try await TestDatabase.with { database in
            let live = LiveServer(database: database)
            try await live.start(catalog: .withoutDirectory)
            do {
                let (token, owner) = try await live.signup("fran@example.com")
                let org = try await live.createOrganization("acme", token: token)
                await live.stop()
                try await live.start(catalog: .builtIn)
                let replica = try TestReplica(live, token: token, org: org.id)
                defer { replica.remove() }
                let synced = try await replica.sync()
                #expect(synced.verified)
                #expect(try replica.replica.record("members", owner.id)?["role"] == .text("owner"))
                #expect(try replica.replica.records("team_rosters").count == StandardTeam.allCases.count)
                await live.stop()
            } catch {
                await live.stop()
                throw error
            }
        }
    }
}
