import AccordCore
import Foundation

/// Stamps the changes the server makes. A stamp is the server's time, but never earlier than the record's
/// latest edit, so a change the server makes after an edit (say, a REST call answering it) also wins
/// last-writer-wins against that edit on every replica, even when the editing device's clock runs ahead.
enum ServerClock {
    /// The node the server's stamps name; replica stamps name a client id, so they never collide.
    static let node = "server"

    static func stamp(now: Date, after state: RecordState?) -> HLCTimestamp {
        let millis = Int64(now.timeIntervalSince1970 * 1000)
        let latest = (state?.fieldStamps.values.max()).map { [$0] } ?? []
        let last = (latest + (state?.tombstone.map { [$0.timestamp] } ?? [])).max()
        guard let last, last.millis >= millis else { return HLCTimestamp(millis: millis, node: node) }
        return HLCTimestamp(millis: last.millis, counter: last.counter + 1, node: node)
    }
}
