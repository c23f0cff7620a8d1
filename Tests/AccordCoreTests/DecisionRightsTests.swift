import AccordCore
import Foundation
import Testing

@Suite("Decision rights, judged by one pure function")
struct DecisionRightsTests {
    let olu = GovernanceMember(id: UUID(), name: "Olu", role: .owner, teams: [])
    let ana = GovernanceMember(id: UUID(), name: "Ana", role: .admin, teams: ["RevOps"])
    let eve = GovernanceMember(id: UUID(), name: "Eve", role: .editor, teams: ["marketing"])
    let vic = GovernanceMember(id: UUID(), name: "Vic", role: .viewer, teams: [])

    @Test func holdersAreSpelledReadAndMatchedByUserTeamRoleOrEveryone() throws {
        for text in ["user:\(olu.id.lowercasedText)", "team:Customer Success", "role:admin", "everyone"] {
            #expect(Holder(text)?.description == text)
        }
        for bad in ["user:nobody", "role:king", "team:", "group:x", "owner"] { #expect(Holder(bad) == nil, "\(bad)") }
        #expect(Holder.team("Marketing").matches(eve), "team names compare without case")
        #expect(Holder.role(.admin).matches(olu) && Holder.role(.admin).matches(ana) && !Holder.role(.admin).matches(eve), "a role holder is met by that role or above")
        #expect(Holder.everyone.matches(vic) && Holder.user(olu.id).matches(olu) && !Holder.user(olu.id).matches(ana))
        let directory = MemberDirectory(members: [olu, ana, eve])
        #expect(directory.describe(.role(.admin)) == "admins and above (Ana, Olu)")
        #expect(directory.describe(.team("Sales")) == "the Sales team (nobody holds it today)")
    }

    @Test func theMostSpecificRightAppliesAndTypesWithoutOneFallBackToTheDefault() {
        let whole = DecisionRight(id: UUID(), type: "definition.change", recommend: [.everyone], decide: .user(ana.id))
        let scoped = DecisionRight(id: UUID(), type: "definition.change", scope: "lifecycle_stage", recommend: [.team("RevOps")], agree: [.team("Marketing")], decide: .user(olu.id))
        let book = RightsBook([whole, scoped])
        #expect(book.right(for: "definition.change", scope: "lifecycle_stage") == scoped)
        #expect(book.right(for: "definition.change", scope: "icp") == whole, "no right for icp: the unscoped one")
        #expect(book.right(for: "definition.change", scope: nil) == whole)
        let fallback = book.right(for: "budget.shift", scope: nil)
        #expect(fallback.id == nil && fallback.decide == .role(.owner) && fallback.inform == [.everyone] && !fallback.separateDuties)
        #expect(RightsBook([]).right(for: "definition.change", scope: nil).separateDuties, "definition changes separate duties by default")
        #expect(Set(book.all.map(\.title)) == Set(DecisionRight.builtInTypes + ["definition.change for lifecycle_stage"]))

        let check = book.check(ana, .recommend, type: "definition.change", scope: "lifecycle_stage")
        #expect(check.holds && check.matched == .team("RevOps") && check.right == scoped)
        #expect(!book.check(ana, .decide, type: "definition.change", scope: "lifecycle_stage").holds)
        #expect(book.check(ana, .decide, type: "definition.change", scope: "icp").matched == .user(ana.id))
        let refusal = book.refusal(eve, .decide, type: "definition.change", scope: "lifecycle_stage", doing: "approve it", directory: MemberDirectory(members: [olu, eve]))
        #expect(refusal?.code == "no_right")
        #expect(refusal?.reason == "Only the decide holders of definition.change for lifecycle_stage may approve it: Olu. Ask them, or change the right through decision_right.change.")
    }

    @Test func aDecisionPassesToTheEscalationHolderOnceItsDaysAreUp() {
        let right = DecisionRight(type: "target.change", recommend: [.everyone], decide: .user(olu.id), escalateAfterDays: 3, escalateTo: .role(.admin))
        let book = RightsBook([right])
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let early = book.check(ana, .decide, type: "target.change", scope: nil, waitingSince: since, now: since.addingTimeInterval(3 * 86_400 - 1))
        #expect(!early.holds)
        let late = book.check(ana, .decide, type: "target.change", scope: nil, waitingSince: since, now: since.addingTimeInterval(3 * 86_400))
        #expect(late.holds && late.escalated && late.matched == .role(.admin))
        #expect(book.check(olu, .decide, type: "target.change", scope: nil, waitingSince: since, now: since.addingTimeInterval(9 * 86_400)).holds, "the decider still may")
        #expect(!book.check(olu, .decide, type: "target.change", scope: nil, waitingSince: since, now: since.addingTimeInterval(9 * 86_400)).escalated)
    }

    @Test func aRightSurvivesTheTripThroughItsRecord() throws {
        let right = DecisionRight(
            type: "sla.change", scope: "mql_followup", description: "Sales follows up MQLs", recommend: [.team("Sales")], agree: [.team("Marketing")],
            input: [.role(.viewer)], decide: .user(olu.id), perform: [.team("Sales")], inform: [.everyone], escalateAfterDays: 5, escalateTo: .role(.owner),
            separateDuties: true
        )
        let id = UUID()
        let schema = CollectionSchema.decisionRights
        #expect(schema.validate(right.fields, creating: true).isEmpty)
        var back = DecisionRight(id: id, record: schema.canonical(right.fields))
        back?.id = nil
        #expect(back == right)
    }

    @Test func versionNumbersBumpByBreakingOrNot() {
        #expect(VersionNumber.next(after: nil, breaking: false).description == "1.0")
        #expect(VersionNumber.next(after: VersionNumber("1.4"), breaking: false).description == "1.5")
        #expect(VersionNumber.next(after: VersionNumber("1.4"), breaking: true).description == "2.0")
        #expect(VersionNumber("1") == nil && VersionNumber("a.b") == nil)
    }

    @Test func aResponsesIdNamesItsMemberAndProposal() {
        let proposal = UUID(), member = UUID()
        let id = ProposalResponse.id(proposal: proposal, member: member)
        #expect(ProposalResponse.member(of: id, proposal: proposal) == member)
        #expect(ProposalResponse.id(proposal: proposal, member: UUID()) != id)
    }

    @Test func termLinksAreReadFromMarkdown() {
        #expect(ReferenceIndex.links(in: "An [[MQL]] that [[Sales accepted|SAL]] took; not [[a\nb]] nor [[]]") == ["MQL", "Sales accepted"])
    }
}
