import DuckDB
import Dispatch
import Synchronization

/// A fixed set of connections, each used by one job at a time on its own dispatch queue.
///
/// DuckDB calls block their thread until the statement finishes (a query may run for its whole
/// time budget), so they never run on Swift's cooperative pool, where two blocked threads
/// would stall every request on a 2-core machine. Jobs beyond the pool's size wait in order.
public final class ConnectionPool: Sendable {
    private struct Slot: @unchecked Sendable {
        let connection: Connection
        let queue: DispatchQueue
    }

    private struct State {
        var idle: [Slot]
        var waiters: [CheckedContinuation<Slot, Never>] = []
    }

    private let state: Mutex<State>
    public let size: Int

    /// Opens `size` connections to `store`; `prepare` runs once on each (settings, `LOAD`s).
    public init(store: Store, size: Int, label: String, prepare: (Connection) throws -> Void = { _ in }) throws {
        precondition(size > 0)
        var slots: [Slot] = []
        for i in 0..<size {
            let connection = try store.connect()
            try prepare(connection)
            slots.append(Slot(connection: connection, queue: DispatchQueue(label: "memoryd.\(label).\(i)")))
        }
        self.size = size
        state = Mutex(State(idle: slots))
    }

    /// Thrown by `run` when `timeout` passed and DuckDB stopped the statement.
    public struct TimedOut: Error, Sendable {
        public let timeout: Duration
    }

    /// Runs `body` with a connection of its own, off the cooperative pool. With a `timeout`,
    /// DuckDB interrupts the running statement once it has passed and `run` throws `TimedOut`.
    public func run<T: Sendable>(
        timeout: Duration? = nil,
        _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        let slot = await acquire()
        defer { release(slot) }
        return try await withCheckedThrowingContinuation { continuation in
            slot.queue.async {
                guard let timeout else {
                    continuation.resume(with: Result { try body(slot.connection) })
                    return
                }
                // Finishing and interrupting exclude each other, so a late timer never stops
                // the next job on this connection.
                let watch = Watch()
                let timer = DispatchWorkItem {
                    watch.state.withLock { w in
                        guard !w.finished else { return }
                        w.fired = true
                        slot.connection.interrupt()
                    }
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval, execute: timer)
                let result = Result { try body(slot.connection) }
                let fired = watch.state.withLock { w in
                    w.finished = true
                    return w.fired
                }
                timer.cancel()
                if fired, case .failure = result {
                    continuation.resume(throwing: TimedOut(timeout: timeout))
                } else {
                    continuation.resume(with: result)
                }
            }
        }
    }

    private func acquire() async -> Slot {
        if let slot = state.withLock({ $0.idle.popLast() }) { return slot }
        return await withCheckedContinuation { continuation in
            let slot: Slot? = state.withLock { s in
                if let slot = s.idle.popLast() { return slot }
                s.waiters.append(continuation)
                return nil
            }
            if let slot { continuation.resume(returning: slot) }
        }
    }

    private func release(_ slot: Slot) {
        let waiter: CheckedContinuation<Slot, Never>? = state.withLock { s in
            if s.waiters.isEmpty {
                s.idle.append(slot)
                return nil
            }
            return s.waiters.removeFirst()
        }
        waiter?.resume(returning: slot)
    }
}

/// Whether a job finished and whether its timer fired, decided under one lock.
private final class Watch: Sendable {
    let state = Mutex((finished: false, fired: false))
}

extension Duration {
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
