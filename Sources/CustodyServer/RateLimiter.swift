import Foundation

/// A token bucket per principal: `rate` requests a second on average, bursts of `burst`. A
/// request over it waits, and is told how long (Retry-After).
public final class RateLimiter: @unchecked Sendable {
    let rate: Double
    let burst: Double
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes one request for `key` at `now` (seconds); nil when it may go ahead, else the whole
    /// seconds to wait before the next one would.
    public func take(_ key: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        var bucket = buckets[key] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        defer { buckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
    }
}
