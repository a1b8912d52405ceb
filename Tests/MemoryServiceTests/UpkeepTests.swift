import MemoryService
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// The upkeep service indexes new rows every tick, and only every `burstSearchInterval`
/// while ingest commits a burst.
@Suite struct UpkeepTests {
    /// Runs the upkeep with a fake ingest counter while `body` runs, then stops it.
    private func withUpkeep(_ f: ServiceFixture, ingest: FakeIngest, burstSearchInterval: Duration,
                            _ body: @Sendable () async throws -> Void) async throws {
        let upkeep = MemoryUpkeep(service: f.service, searchInterval: .milliseconds(20), burstRowsPerSecond: 20_000,
                                  burstSearchInterval: burstSearchInterval, ingestedRows: { ingest.rows })
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await upkeep.run() }
                try await body()
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    /// Waits until a search for `text` finds something. The bound is a hang guard only: under a
    /// full parallel test run each upkeep tick can wait tens of seconds for a thread.
    private func waitUntilFound(_ f: ServiceFixture, _ text: String) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while try await f.call("memory_search", ["text": .string(text)])["matches"] == [] {
            guard ContinuousClock.now < deadline else {
                // What a refresh says now tells a starved upkeep from a failing one.
                let refresh: String
                do { refresh = "\(try await f.service.refreshSearchIndex())" } catch { refresh = "\(error)" }
                throw SearchWaitTimedOut(text: text, spans: try f.count("SELECT count(*) FROM spans"),
                                         documents: try f.count("SELECT count(*) FROM search_documents"),
                                         refreshNow: refresh)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct SearchWaitTimedOut: Error {
        let text: String
        let spans: Int64
        let documents: Int64
        let refreshNow: String
    }

    /// An ingest counter that, while bursting, grows by 10⁹ rows/s of wall time, so even a rate
    /// averaged over a tick that a loaded machine delayed by seconds is a burst.
    final class FakeIngest: Sendable {
        private let burstStarted = Mutex<ContinuousClock.Instant?>(nil)
        private let before = Mutex(0)

        var rows: Int {
            before.withLock { $0 } + (burstStarted.withLock { $0 }.map { Self.millis(ContinuousClock.now - $0) * 1_000_000 } ?? 0)
        }

        func setBursting(_ on: Bool) {
            if on {
                burstStarted.withLock { $0 = $0 ?? .now }
            } else {
                let total = rows
                burstStarted.withLock { $0 = nil }
                before.withLock { $0 = total }
            }
        }

        private static func millis(_ d: Duration) -> Int {
            Int(d.components.seconds) * 1_000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    @Test func newRowsAreIndexedOnTheNextTick() async throws {
        let f = try ServiceFixture()
        try await withUpkeep(f, ingest: FakeIngest(), burstSearchInterval: .seconds(3600)) {
            try f.ingest([span(trace: 1, span: 1, name: "alpha", start: baseTime)])
            try await waitUntilFound(f, "alpha")
            try f.ingest([span(trace: 2, span: 1, name: "bravo", start: baseTime + 1_000)])
            try await waitUntilFound(f, "bravo")
        }
    }

    @Test func aBurstDefersIndexingUntilItEnds() async throws {
        let f = try ServiceFixture()
        let ingest = FakeIngest()
        try await withUpkeep(f, ingest: ingest, burstSearchInterval: .seconds(3600)) {
            try f.ingest([span(trace: 1, span: 1, name: "alpha", start: baseTime)])
            try await waitUntilFound(f, "alpha")
            ingest.setBursting(true)
            try await Task.sleep(for: .milliseconds(100))
            try f.ingest([span(trace: 2, span: 1, name: "bravo", start: baseTime + 1_000)])
            // Many ticks pass without the new span being indexed.
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await f.call("memory_search", ["text": "bravo"])["matches"] == [])
            #expect(try f.count("SELECT count(*) FROM spans WHERE name = 'bravo'") == 1)
            ingest.setBursting(false)
            try await waitUntilFound(f, "bravo")
        }
    }

    @Test func duringALongBurstTheIndexIsStillRefreshedEveryBurstInterval() async throws {
        let f = try ServiceFixture()
        let ingest = FakeIngest()
        ingest.setBursting(true)
        try await withUpkeep(f, ingest: ingest, burstSearchInterval: .milliseconds(300)) {
            try f.ingest([span(trace: 1, span: 1, name: "alpha", start: baseTime)])
            try await waitUntilFound(f, "alpha")
            try f.ingest([span(trace: 2, span: 1, name: "bravo", start: baseTime + 1_000)])
            try await waitUntilFound(f, "bravo")
        }
    }
}
