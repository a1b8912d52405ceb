import Foundation
import Synchronization

/// The tasks `GetTask` and `CancelTask` can still find: in memory, bounded in number and in
/// age, so a chatty client cannot grow the daemon. A task past its time or pushed out by
/// newer ones is simply not found any more (the memory it touched is in the store for good).
public final class A2ATaskStore: Sendable {
    public struct Configuration: Sendable {
        /// Most tasks kept (at least 1); the oldest goes first (default 1,000).
        public var capacity = 1_000
        /// How long a task stays findable after it ran (default one hour).
        public var timeToLive: Duration = .seconds(3_600)

        public init() {}
    }

    private struct Entry {
        var task: A2ATask
        var storedAt: Date
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Ids in insertion order, which is also expiry order: every task lives equally long.
        var order: [String] = []
    }

    private let capacity: Int
    private let timeToLive: TimeInterval
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    /// `now` is the clock expiry reads (tests move it forward).
    public init(configuration: Configuration = .init(), now: @escaping @Sendable () -> Date = Date.init) {
        capacity = max(1, configuration.capacity)
        let ttl = configuration.timeToLive.components
        timeToLive = Double(ttl.seconds) + Double(ttl.attoseconds) * 1e-18
        self.now = now
    }

    /// How many tasks are findable right now.
    public var count: Int {
        state.withLock { state in
            dropExpired(&state)
            return state.entries.count
        }
    }

    func insert(_ task: A2ATask) {
        state.withLock { state in
            dropExpired(&state)
            let excess = state.order.count + 1 - capacity
            if excess > 0 {
                for id in state.order.prefix(excess) { state.entries[id] = nil }
                state.order.removeFirst(excess)
            }
            // Stamped under the lock, so `order` stays sorted by time.
            state.entries[task.id] = Entry(task: task, storedAt: now())
            state.order.append(task.id)
        }
    }

    func task(id: String) -> A2ATask? {
        state.withLock { state in
            dropExpired(&state)
            return state.entries[id]?.task
        }
    }

    private func dropExpired(_ state: inout State) {
        let cutoff = now().addingTimeInterval(-timeToLive)
        let expired = state.order.prefix { id in state.entries[id].map { $0.storedAt <= cutoff } ?? true }
        guard !expired.isEmpty else { return }
        for id in expired { state.entries[id] = nil }
        state.order.removeFirst(expired.count)
    }
}
