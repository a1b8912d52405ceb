import DuckDB
import Synchronization

/// Closes an in-process server's DuckDB database on the test's own task.
///
/// The ingest writer's connection (and with it a reference to the database) lives in the
/// closure of the writer's `Thread` and is only released when that thread's TLS is torn down,
/// after `IngestPipeline.run()` has returned. If that release is the last one, DuckDB closes
/// and checkpoints the database inside the thread-exit destructor and crashes
/// (`duckdb::Value::operator=` under `GlobalUserSettings::TryGetSetting`, seen as a SIGSEGV of
/// the test process; reported as a product bug). So the test waits until it holds the only
/// reference (the writer thread has gone) and drops it here. There is no event to wait on
/// for a thread's exit, hence the short poll.
final class DatabaseCloser: @unchecked Sendable {
    private let lock = Mutex<Database?>(nil)

    var database: Database? {
        get { lock.withLock { $0 } }
        set { lock.withLock { $0 = newValue } }
    }

    /// Databases still referenced elsewhere after the grace period: never closed from a
    /// thread that may be exiting, so they stay open until the test process ends.
    private static let kept = Mutex<[Database]>([])

    func close(timeout: Duration = .seconds(10)) async {
        guard var database = lock.withLock({ value -> Database? in defer { value = nil }; return value }) else { return }
        let deadline = ContinuousClock.now + timeout
        while !isKnownUniquelyReferenced(&database) {
            guard ContinuousClock.now < deadline else {
                Self.kept.withLock { $0.append(database) }
                return
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        // `database` is released here, on this task: DuckDB closes it outside any thread teardown.
    }
}
