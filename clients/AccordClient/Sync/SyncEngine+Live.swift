import AccordCore
import Foundation
import Synchronization

extension SyncEngine {
    private enum Trigger: Sendable {
        case poke(Int64)
        case localWrite
        case poll
    }

    /// Stays live until cancelled: follows the realtime stream and syncs on each poke past the cursor,
    /// pushes after each local write, and polls every `fallbackInterval` while the stream is down.
    /// Each round's outcome goes to `onSync`; losing access to the organization ends it with that error.
    public func live(
        fallbackInterval: Duration = .seconds(30),
        onSync: @escaping @Sendable (Result<SyncSummary, any Error>) -> Void
    ) async throws {
        let (triggers, trigger) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(64))
        let streamUp = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in replica.localWrites() { trigger.yield(.localWrite) }
            }
            group.addTask {
                var attempt = 0
                while !Task.isCancelled {
                    do {
                        for try await seq in transport.events() {
                            attempt = 0
                            streamUp.set(true)
                            trigger.yield(.poke(seq))
                        }
                    } catch {}
                    streamUp.set(false)
                    attempt += 1
                    try await Task.sleep(for: backoff.delay(attempt: attempt) + .milliseconds(100))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: fallbackInterval)
                    if !streamUp.value { trigger.yield(.poll) }
                }
            }
            onSync(await round())
            for await event in triggers {
                if case .poke(let seq) = event, seq <= (try replica.cursor().cursor), try replica.pendingCount() == 0 { continue }
                let result = await round()
                onSync(result)
                if case .failure(ClientError.accessLost) = result {
                    group.cancelAll()
                    trigger.finish()
                    throw ClientError.accessLost(replica.organization.uuidString.lowercased())
                }
                if Task.isCancelled { break }
            }
            group.cancelAll()
        }
    }

    private func round() async -> Result<SyncSummary, any Error> {
        do {
            return .success(try await sync())
        } catch {
            return .failure(error)
        }
    }
}

/// A boolean shared between tasks.
private final class Flag: Sendable {
    private let storage = Atomic(false)

    var value: Bool { storage.load(ordering: .relaxed) }

    func set(_ value: Bool) { storage.store(value, ordering: .relaxed) }
}
