import DuckDB
import Foundation
import Synchronization
import Testing

@Suite struct InterruptTests {
    @Test(.timeLimit(.minutes(1)))
    func interruptFromAnotherThreadStopsALongQuery() async throws {
        let connection = try memoryConnection()
        let finished = Flag()
        let started = ContinuousClock.now
        let query = Task.detached { () -> Result<ResultSet, any Error> in
            defer { finished.value.store(true, ordering: .sequentiallyConsistent) }
            return Result { try connection.query("SELECT count(*) FROM range(1000000000000) a") }
        }
        // An interrupt that lands before the query starts is dropped, so keep asking until it stops.
        try await Task.sleep(for: .milliseconds(100))
        // The bound is a hang guard, not a speed figure: uninterrupted, the query runs for hours.
        while !finished.value.load(ordering: .sequentiallyConsistent), started.duration(to: .now) < .seconds(45) {
            connection.interrupt()
            try await Task.sleep(for: .milliseconds(50))
        }
        let stopped = finished.value.load(ordering: .sequentiallyConsistent)
        #expect(stopped, "the query did not stop while interrupted")
        let outcome = await query.value
        let error = try #require(throws: DuckDBError.self) { _ = try outcome.get() }
        #expect(error.isInterrupt, "message: \(error.message)")
        // The connection is usable afterwards.
        #expect(try connection.scalar("SELECT 1") == .int(1))
    }

    @Test func ordinaryErrorsAreNotInterrupts() throws {
        let error = #expect(throws: DuckDBError.self) { try memoryConnection().execute("SELECT * FROM nope_tbl") }
        #expect(error?.isInterrupt == false)
    }
}

private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
