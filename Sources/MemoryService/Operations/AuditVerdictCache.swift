import Synchronization

/// The audit chain's last verdict, reused for a short time. Verifying walks the whole chain
/// (about 0.7 s per 50,000 rows in a debug build), and every memory call adds a row, so the
/// gate cannot afford a walk per call: concurrent askers share one walk, and its verdict
/// answers until it is `maxAge` old.
final class AuditVerdictCache: Sendable {
    private struct State {
        var last: (status: AuditStatus, at: ContinuousClock.Instant)?
        var walking: Task<AuditStatus, any Error>?
    }

    private let state = Mutex(State())

    func status(maxAge: Duration, verify: @escaping @Sendable () async throws -> AuditStatus) async throws -> AuditStatus {
        let task: Task<AuditStatus, any Error> = state.withLock { s in
            if let last = s.last, ContinuousClock.now - last.at < maxAge { return Task { last.status } }
            if let walking = s.walking { return walking }
            let walking = Task { try await verify() }
            s.walking = walking
            return walking
        }
        do {
            let status = try await task.value
            state.withLock { s in
                if s.walking == task { s.walking = nil }
                s.last = (status, .now)
            }
            return status
        } catch {
            state.withLock { s in if s.walking == task { s.walking = nil } }
            throw error
        }
    }
}
