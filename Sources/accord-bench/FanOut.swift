import AccordClient
import AccordCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Many realtime clients on one server: raw NIO sockets that each hold an SSE stream of one organization and
/// note when a poke reaches a target seq. Then one write, and the time until every stream has seen it.
enum FanOut {
    static func run(_ job: Job) async throws -> JobResult {
        raiseFileLimit()
        guard fileLimit() > job.count + 100 else {
            throw BenchError("the fan-out needs \(job.count + 100) open files and the limit is \(fileLimit()); raise ulimit -n")
        }
        let host = job.serverURL.host ?? "127.0.0.1", port = job.serverURL.port ?? 80
        let request = """
            GET /v1/orgs/\(job.org.uuidString.lowercased())/sync/events HTTP/1.1\r
            Host: \(host):\(port)\r
            Authorization: Bearer \(job.token)\r
            Accord-Protocol: 1\r
            Accept: text/event-stream\r
            \r

            """
        let tracker = PokeTracker()
        @Sendable func connect() async throws -> any Channel {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(StreamHandler(tracker: tracker, request: request))
                    }
                }
                .connect(host: host, port: port).get()
        }
        Memory.resetPeak()
        var channels: [any Channel] = []
        let connectStart = ContinuousClock.now
        let wave = 250
        for waveStart in stride(from: 0, to: job.count, by: wave) {
            let size = min(wave, job.count - waveStart)
            try await withThrowingTaskGroup(of: (any Channel).self) { group in
                for _ in 0..<size { group.addTask { try await connect() } }
                for try await channel in group { channels.append(channel) }
            }
            try await tracker.waitUntil(timeout: .seconds(120)) { $0.ready >= channels.count }
            if channels.count % max(wave, job.count / 5 / wave * wave) == 0 || channels.count == job.count {
                say("    fan-out: \(channels.count)/\(job.count) streams open")
            }
        }
        let connectSeconds = seconds(ContinuousClock.now - connectStart)

        let transport = HTTPSyncTransport(server: job.serverURL, token: job.token, organization: job.org)
        var generator = MeasurementGenerator(seed: job.seed)
        let clientID = UUID()
        var samples: [Double] = []
        for repetition in 1...job.repetitions {
            let target = tracker.highest + 1
            tracker.arm(target)
            let start = ContinuousClock.now
            let mutation = Mutation(
                mutationID: Int64(repetition), collection: BenchCollection.name, recordID: generator.id(), operation: .create,
                fields: generator.fields(index: repetition), baseSeq: 0,
                timestamp: HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000), node: clientID.uuidString.lowercased())
            )
            let response = try await transport.push(PushRequest(clientID: clientID, mutations: [mutation]))
            guard response.head == target else { throw BenchError("the write landed at seq \(response.head), expected \(target)") }
            try await tracker.waitUntil(timeout: .seconds(60)) { $0.poked >= channels.count }
            samples.append(seconds(tracker.lastPoke! - start))
            say("    fan-out: poke \(repetition)/\(job.repetitions) reached \(channels.count) streams in \(String(format: "%.0f", samples.last! * 1000)) ms")
        }
        let peak = Memory.peakRSS()
        for channel in channels { channel.close(promise: nil) }
        return JobResult(seconds: samples, peakRSS: peak, counts: ["streams": channels.count, "connectMillis": Int(connectSeconds * 1000)])
    }
}

/// Counts the streams that are open and those that have seen the target seq.
final class PokeTracker: Sendable {
    struct State: Sendable {
        var ready = 0
        var poked = 0
        var target: Int64 = .max
        var highest: Int64 = 0
        var lastPoke: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    var highest: Int64 { state.withLock { $0.highest } }
    var lastPoke: ContinuousClock.Instant? { state.withLock { $0.lastPoke } }

    func arm(_ target: Int64) {
        state.withLock { $0.target = target; $0.poked = 0; $0.lastPoke = nil }
    }

    /// Called by a stream for every seq it reads; returns the target it has now reached, if any.
    func saw(_ seq: Int64, first: Bool, alreadyReached: Int64) -> Int64? {
        state.withLock { state in
            if first { state.ready += 1 }
            state.highest = max(state.highest, seq)
            guard seq >= state.target, alreadyReached < state.target else { return nil }
            state.poked += 1
            state.lastPoke = .now
            return state.target
        }
    }

    func waitUntil(timeout: Duration, _ condition: (State) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !state.withLock({ condition($0) }) {
            guard ContinuousClock.now < deadline else {
                let now = state.withLock { $0 }
                throw BenchError("fan-out timed out: \(now.ready) streams open, \(now.poked) poked")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Sends the SSE request and scans what arrives for `{"seq":N}`; chunked framing does not split an event.
final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let tracker: PokeTracker
    private let request: String
    private var carry: [UInt8] = []
    private var opened = false
    private var reached: Int64 = -1
    private static let marker = Array("{\"seq\":".utf8)

    init(tracker: PokeTracker, request: String) {
        self.tracker = tracker
        self.request = request
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var bytes = carry
        bytes.append(contentsOf: buffer.readableBytesView)
        var index = 0
        var consumed = 0
        while let found = find(Self.marker, in: bytes, from: index) {
            var end = found + Self.marker.count
            var seq: Int64 = 0
            while end < bytes.count, bytes[end] >= 48, bytes[end] <= 57 {
                seq = seq * 10 + Int64(bytes[end] - 48)
                end += 1
            }
            guard end < bytes.count else { break }
            if let target = tracker.saw(seq, first: !opened, alreadyReached: reached) { reached = target }
            opened = true
            index = end
            consumed = end
        }
        carry = Array(bytes[consumed...].suffix(32))
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], Array(haystack[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }
}
