import AccordCore
import Foundation
import Testing

@Suite("The write policy both sides run")
struct WritePolicyTests {
    /// A view with nothing in it; these rules read nothing.
    struct EmptyView: RecordView {
        func record(_ collection: String, _ id: UUID) async throws -> RecordFields? { nil }
        func records(_ collection: String, matching: RecordFields) async throws -> [UUID: RecordFields] { [:] }
    }

    static let cards = CollectionSchema(
        name: "cards",
        fields: [FieldSchema("title", .text, .lww, required: true), FieldSchema("owner", .uuid, .lww, serverOwned: true)],
        rules: [
            CollectionRule("stamps its owner") { input in .accept(stamping: ["owner": .text(input.actor.userID.lowercasedText)]) },
            CollectionRule("no drafts") { input in
                input.merged?["title"] == .text("draft") ? .reject("draft", "Give the card a real title.") : .accept
            },
            CollectionRule("never reached after a refusal") { _ in .reject("second", "The first refusal decides.") },
        ]
    )

    func input(_ title: String, by actor: RuleActor) -> RuleInput {
        RuleInput(
            collection: Self.cards, recordID: UUID(), operation: .create, changes: ["title": .text(title)], stored: nil,
            merged: ["title": .text(title)], actor: actor, view: EmptyView()
        )
    }

    @Test func viewersAreRefusedTheirOwnChangesButNotTheServersOnTheirBehalf() {
        let viewer = RuleActor(userID: UUID(), role: .viewer)
        let refusal = WritePolicy.refusal(of: .create, fields: ["title": .text("x")], in: Self.cards, by: viewer)
        #expect(refusal?.code == "forbidden" && refusal?.reason.contains("ask an owner or admin") == true)
        #expect(WritePolicy.refusal(of: .create, fields: ["title": .text("x")], in: Self.cards, by: viewer.viaServer) == nil)
    }

    @Test func onlyTheServerSetsTheFieldsItOwns() {
        let editor = RuleActor(userID: UUID(), role: .editor)
        let fields: RecordFields = ["title": .text("x"), "owner": .text(UUID().lowercasedText)]
        #expect(WritePolicy.refusal(of: .create, fields: fields, in: Self.cards, by: editor)?.reason == "owner is set by the server and cannot be changed")
        #expect(WritePolicy.refusal(of: .create, fields: fields, in: Self.cards, by: editor.viaServer) == nil)
    }

    @Test func theFirstRefusalDecidesAndAcceptedStampsAddUp() async throws {
        let editor = RuleActor(userID: UUID(), role: .editor)
        let draft = try await WritePolicy.judge(input("draft", by: editor))
        #expect(draft.rejection == Rejection(code: "draft", reason: "Give the card a real title."))
        let named = try await WritePolicy.judge(input("Q3 plan", by: editor))
        #expect(named.rejection?.code == "second", "every rule runs until one refuses")
        var lenient = Self.cards
        lenient.rules.removeLast()
        var accepted = input("Q3 plan", by: editor)
        accepted.collection = lenient
        let decision = try await WritePolicy.judge(accepted)
        #expect(decision.rejection == nil && decision.stamps == ["owner": .text(editor.userID.lowercasedText)])
    }
}
