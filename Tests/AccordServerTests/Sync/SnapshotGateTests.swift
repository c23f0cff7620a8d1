@testable import AccordServer
import HTTPTypes
import Testing

@Suite("Snapshot gate")
struct SnapshotGateTests {
    @Test func snapshotsBeyondTheCapacityAreAskedToRetryUntilAPlaceIsGivenBack() throws {
        let gate = SnapshotGate(capacity: 2)
        var first: SnapshotGate.Pass? = try gate.enter()
        let second = try gate.enter()
        do {
            _ = try gate.enter()
            Issue.record("a third snapshot was let in beside two")
        } catch let error as APIError {
            #expect(error.status == .serviceUnavailable && error.code == "busy")
            #expect(error.headers[.retryAfter] == "5")
        }
        #expect(first != nil)
        first = nil
        let third = try gate.enter()
        #expect(third !== second)
    }
}
