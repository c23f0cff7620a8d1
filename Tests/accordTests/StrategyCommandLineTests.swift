import AccordClient
import AccordCore
import Foundation
import Testing

@Suite("Strategy with the accord command line", .serialized)
struct StrategyCommandLineTests {
    struct Plays: Decodable {
        var capacity: StrategyBoard.Capacity
        var plays: [StrategyBoard.PlayLine]
    }

    /// Dana moves the demo's plays offline; the replica warns at once what the server refuses at sync, naming
    /// the play to stop first, and the board reads the same before and after.
    @Test func playsMoveOfflineUnderTheLimitAndBudgetAndTheServerJudgesThemAtSync() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
        #expect(try await dana.run("use", "acme").status == 0)
        #expect(try await dana.run("sync").status == 0)
        server.stop()

        let shown = try await Accord.runOnTerminal(["plays"], home: dana.home, columns: 80)
        #expect(shown.status == 0)
        let lines = shown.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "4 of 5 active plays · 26 of 30 points this quarter")
        Layout.check(lines.dropFirst().joined(separator: "\n"), width: 80, rows: 4)
        #expect(lines.contains { $0.hasPrefix("  ! Partner webinars in EMEA is past its stop date ") }, "\(shown.standardOutput)")
        #expect(lines.suffix(3) == ["Not now", "  - Field events in APAC: APAC waits until conversion recovers in the core", "    regions; revisit next quarter."])

        let bare = try await dana.run("play", "not-now", "Tier-1 ICP scoring")
        #expect(bare.status != 0 && bare.standardError.contains("--rationale"), "\(bare)")
        let stopped = try await dana.run("play", "stop", "Partner webinars in EMEA", "--rationale", "Past its date; webinars move to the partner team.")
        #expect(stopped.status == 0 && stopped.standardError.isEmpty, "\(stopped)")
        let over = try await dana.run("play", "activate", "field events in apac")
        #expect(over.status == 0, "queued all the same: \(over)")
        #expect(over.standardError.contains("(play_budget)") && over.standardError.contains("needs 13 points and the active plays take 18 of the quarter's 30"), "\(over.standardError)")
        #expect(over.standardError.contains("stopping Tier-1 ICP scoring (8 points) would make room"), "\(over.standardError)")
        let local = try await dana.json(Plays.self, "plays")
        #expect(local.capacity == StrategyBoard.Capacity(active: 4, limit: 5, points: 31, budget: 30), "the replica shows what it queued")

        server = try await RunningServer.start(in: workspace, port: server.port)
        let synced = try await dana.run("sync")
        #expect(synced.status == 4 && synced.standardOutput.contains("1 rejected"), "a rejection needs attention: \(synced.standardOutput)")
        let rejections = try await dana.run("rejections")
        #expect(rejections.standardOutput.contains("needs 13 points"), "the server's reason is kept: \(rejections.standardOutput)")
        let judged = try await dana.json(Plays.self, "plays")
        #expect(judged.capacity == StrategyBoard.Capacity(active: 3, limit: 5, points: 18, budget: 30))
        #expect(judged.plays.first { $0.name == "Field events in APAC" }?.status == .notNow, "the refused activation is rolled back")
        #expect(judged.plays.first { $0.name == "Partner webinars in EMEA" }.map { $0.status == .stopped && $0.decision != nil } == true)
        let log = try await dana.json([DecisionEntry].self, "decisions", "--type", "play.activate")
        #expect(log.contains { $0.title == "Stop the play Partner webinars in EMEA" && $0.rationale == "Past its date; webinars move to the partner team." })

        let slas = try await dana.json([StrategyBoard.SLALine].self, "slas")
        #expect(slas.map(\.name) == ["Marketing hands Sales at least 300 MQLs a month", "Sales follows up every MQL within 24 hours"])
        #expect(slas[0].breaches.isEmpty && !slas[1].breaches.isEmpty, "follow-up time runs above 24 hours in the demo's actuals")
        let priorities = try await dana.json([StrategyBoard.PriorityLine].self, "priorities")
        #expect(priorities.first { $0.name == "Grow new business" }?.kpis == ["mql_to_sql", "new_arr", "pipeline_created"])
        let constraints = try await dana.json([StrategyBoard.ConstraintLine].self, "constraints")
        #expect(constraints.count == 3 && constraints.allSatisfy { $0.reading.state != .noData }, "every demo constraint is measured")
        let table = try await Accord.runOnTerminal(["constraints"], home: dana.home, columns: 80)
        Layout.check(table.standardOutput, width: 80, rows: 3)
    }

    /// Dana prepares the monthly review on a plane: starts it, decides every item, cannot close it early, closes
    /// it; at sync the server judges every step and the review reads the same there.
    @Test func aMonthlyReviewRunsOfflineAndTheServerAgreesAtSync() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var server = try await RunningServer.start(in: workspace)
        defer { server.stop() }
        let dana = Person(home: workspace.directory.appendingPathComponent("dana"))
        #expect(try await dana.run("login", server.url, "--email", "dana@northwind.example", input: "accord-demo-password\n").status == 0)
        #expect(try await dana.run("use", "acme").status == 0)
        #expect(try await dana.run("sync").status == 0)
        server.stop()

        let again = try await dana.run("review", "start", "--cadence", "monthly")
        #expect(again.status != 0 && again.standardError.contains("is open already"), "the demo opened last month's review: \(again)")
        let started = try await dana.json(ReviewView.self, "review", "show")
        #expect(started.status == .open && !started.items.isEmpty)
        let reviews = try await dana.json([ReviewView].self, "review", "show", "--all")
        #expect(reviews.map(\.status) == [.open, .closed], "the demo has last month's review open and the one before closed")
        #expect(Set(started.items.map(\.kind)).isSuperset(of: [.sla, .play]), "the demo has a breached SLA and a play past its stop date: \(started.items.map(\.title))")
        let early = try await dana.run("review", "close", "--summary", "Too soon.")
        #expect(early.status != 0 && early.standardError.contains("still need"), "nothing is queued for a review with open items: \(early)")
        for (index, item) in started.items.enumerated() {
            let outcome = item.kind == .play ? "stop" : "hold"
            let decided = try await dana.run("review", "decide", "\(index + 1)", outcome, "--rationale", "Decided in the \(started.period) review.")
            #expect(decided.status == 0 && decided.standardError.isEmpty, "\(item.title): \(decided)")
        }
        let shown = try await Accord.runOnTerminal(["review", "show"], home: dana.home, columns: 80)
        #expect(shown.standardOutput.hasPrefix("Monthly review of \(started.period) · open · \(started.items.count) of \(started.items.count) decided"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.split(separator: "\n").allSatisfy { $0.count <= 80 }, "every line fits 80 columns")
        #expect(try await dana.run("review", "close", "--summary", "Held the numbers; stopped the webinars.").status == 0)

        server = try await RunningServer.start(in: workspace, port: server.port)
        let older = reviews[1].period
        let quarter = try await dana.json(ReviewView.self, "review", "start", "--cadence", "quarterly")
        #expect(quarter.cadence == "quarterly" && quarter.status == .open, "another cadence opens its own review, offline too; \(older) stays closed")
        let synced = try await dana.run("sync")
        #expect(synced.status == 0 && synced.standardOutput.contains("0 rejected"), "\(synced.standardOutput)")
        let closed = try await dana.json(ReviewView.self, "review", "show", String(started.id.lowercasedText.prefix(8)))
        #expect(closed.status == .closed && closed.undecided.isEmpty && closed.closedBy != nil, "the server stamped who closed it")
        let plays = try await dana.json(Plays.self, "plays")
        #expect(plays.plays.first { $0.name == "Partner webinars in EMEA" }?.status == .stopped, "stopping the play was part of the outcome")
    }
}

