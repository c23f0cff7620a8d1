/// Exponential backoff with full jitter for transient failures.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    /// Attempts within one call before the failure is reported.
    public var attempts: Int

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(10), attempts: Int = 4) {
        self.initial = initial
        self.maximum = maximum
        self.attempts = attempts
    }

    /// The wait before retry number `attempt` (from 1): uniformly up to initial × 2^(attempt-1), capped.
    public func delay(attempt: Int) -> Duration {
        let ceiling = min(initial * (1 << min(attempt - 1, 20)), maximum)
        return ceiling * Double.random(in: 0...1)
    }

    /// Runs `operation`, retrying transient failures.
    func retrying<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch SyncError.transient(let reason) where attempt < attempts {
                _ = reason
                try await Task.sleep(for: delay(attempt: attempt))
                attempt += 1
            }
        }
    }
}
