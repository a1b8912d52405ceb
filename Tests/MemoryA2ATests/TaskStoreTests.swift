import Foundation
import Synchronization
import Testing

@testable import MemoryA2A

@Suite struct TaskStoreTests {
    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { time.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    }

    static func task(_ id: String) -> A2ATask {
        A2ATask(id: id, contextID: "c", state: .completed, timestamp: Date(), statusMessage: nil, artifacts: [], history: [])
    }

    @Test func keepsAtMostItsCapacityDroppingTheOldest() {
        var configuration = A2ATaskStore.Configuration()
        configuration.capacity = 3
        let store = A2ATaskStore(configuration: configuration)
        for i in 1...5 { store.insert(Self.task("t\(i)")) }
        #expect(store.count == 3)
        #expect(store.task(id: "t1") == nil)
        #expect(store.task(id: "t2") == nil)
        #expect(["t3", "t4", "t5"].allSatisfy { store.task(id: $0) != nil })
    }

    @Test func tasksExpire() {
        var configuration = A2ATaskStore.Configuration()
        configuration.timeToLive = .seconds(60)
        let clock = Clock()
        let store = A2ATaskStore(configuration: configuration, now: { clock.now })
        store.insert(Self.task("old"))
        clock.advance(30)
        store.insert(Self.task("new"))
        clock.advance(29)
        #expect(store.task(id: "old") != nil)
        clock.advance(2)
        #expect(store.task(id: "old") == nil)
        #expect(store.task(id: "new") != nil)
        #expect(store.count == 1)
        clock.advance(30)
        #expect(store.count == 0)
    }
}
