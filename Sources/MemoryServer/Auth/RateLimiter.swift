import Synchronization

/// A token bucket per token id: `rate` requests per second sustained, `burst` at once.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// Takes one request from `id`'s bucket; returns nil when allowed, else the whole seconds
    /// until one is (for `Retry-After`).
    func take(_ id: String, rate: Double, burst: Int, now: ContinuousClock.Instant = .now) -> Int? {
        let capacity = Double(max(burst, 1))
        return buckets.withLock { buckets in
            var bucket = buckets[id] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * rate)
            bucket.updated = now
            defer { buckets[id] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
