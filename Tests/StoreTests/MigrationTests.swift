import DuckDB
import Foundation
import MemoryStore
import Testing

@Suite struct MigrationTests {
    private static let tables = ["spans", "pending_spans", "logs", "metric_points", "ingest_checkpoints", "schema_migrations"]

    private func tableNames(_ store: Store) throws -> Set<String> {
        Set(try store.rows("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").compactMap { $0[0].string })
    }

    private func viewNames(_ store: Store) throws -> Set<String> {
        Set(try store.rows("SELECT view_name FROM duckdb_views() WHERE NOT internal").compactMap { $0[0].string })
    }

    private func versions(_ store: Store) throws -> [Int64] {
        try store.rows("SELECT version FROM schema_migrations ORDER BY version").compactMap { $0[0].int64 }
    }

    @Test func migrationsAreNumberedOneToN() {
        #expect(Migrations.all.map(\.version) == Array(1...Migrations.all.count))
        #expect(Migrations.all.allSatisfy { !$0.name.isEmpty })
    }

    @Test func freshStoreHasEveryTableTheViewAndAllVersions() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The store creates missing parent directories.
        let store = try Store(path: directory.appendingPathComponent("nested/dir/memory.duckdb").path)
        #expect(try tableNames(store).isSuperset(of: Self.tables))
        #expect(try viewNames(store).contains("records"))
        #expect(try versions(store) == Migrations.all.map { Int64($0.version) })
        #expect(try store.schemaVersion() == Migrations.all.count)
        let names = try store.rows("SELECT name FROM schema_migrations ORDER BY version").compactMap { $0[0].string }
        #expect(names == Migrations.all.map(\.name))
        #expect(try store.count("records") == 0)
    }

    @Test func inMemoryStoreIsMigrated() throws {
        let store = try Store(path: ":memory:")
        #expect(try tableNames(store).isSuperset(of: Self.tables))
        #expect(try store.schemaVersion() == Migrations.all.count)
    }

    @Test func reopeningACurrentStoreChangesNothing() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("memory.duckdb").path
        let firstApplied: [[Value]]
        do {
            let store = try Store(path: path)
            firstApplied = try store.rows("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        }
        let reopened = try Store(path: path)
        #expect(try reopened.rows("SELECT version, applied_at FROM schema_migrations ORDER BY version") == firstApplied)
    }

    @Test func olderDatabaseIsUpgradedKeepingItsRows() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.duckdb").path
        do {
            let old = try Store(path: path, migrations: Array(Migrations.all.prefix(1)))
            #expect(try old.schemaVersion() == 1)
            #expect(try !viewNames(old).contains("records"))
            try old.connect().execute("""
                INSERT INTO spans (trace_id, span_id, name, span_kind, start_time, end_time,
                    start_time_unix_nano, end_time_unix_nano, duration_ns, status_code, span_type, level,
                    is_exception, flags, dropped_attributes_count, dropped_events_count, dropped_links_count,
                    received_at, run_id, message)
                VALUES ('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'legacy', 'internal',
                    TIMESTAMPTZ '2024-01-01 00:00:00+00', TIMESTAMPTZ '2024-01-01 00:00:02+00',
                    1704067200000000000, 1704067202000000000, 2000000000, 'ok', 'span', 9,
                    false, 0, 0, 0, 0, now(), 'run-old', 'legacy message')
                """)
        }
        let upgraded = try Store(path: path)
        #expect(try upgraded.schemaVersion() == Migrations.all.count)
        #expect(try versions(upgraded) == Migrations.all.map { Int64($0.version) })
        #expect(try viewNames(upgraded).contains("records"))
        let rows = try upgraded.rows("SELECT span_name, message, run_id, duration, kind FROM records")
        #expect(rows == [[.text("legacy"), .text("legacy message"), .text("run-old"), .double(2), .text("span")]])
    }

    @Test func newerSchemaThanKnownIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("future.duckdb").path
        let future = Migrations.all.count + 5
        do {
            let store = try Store(path: path)
            try store.connect().execute("INSERT INTO schema_migrations VALUES (\(future), 'from the future', now())")
        }
        let error = #expect(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(error?.description.contains("\(future)") == true)
        #expect(error?.description.contains("\(Migrations.all.count)") == true)
        #expect(error?.isRefusal == false)
        // The file is left as it was.
        let stillThere = try Store(path: path, migrations: Migrations.all + [Migration(version: future, name: "n", sql: "SELECT 1")])
        #expect(try stillThere.schemaVersion() == future)
    }

    @Test func failingMigrationIsRolledBackWhole() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.duckdb").path
        let broken = Migration(version: Migrations.all.count + 1, name: "broken", sql: """
            CREATE TABLE half_done (x INTEGER);
            CREATE TABLE oops (;
            """)
        #expect(throws: DuckDBError.self) { _ = try Store(path: path, migrations: Migrations.all + [broken]) }
        let store = try Store(path: path)
        #expect(try store.schemaVersion() == Migrations.all.count)
        #expect(try !tableNames(store).contains("half_done"))
    }

    @Test func migrationsApplyInOrderUpToTheNewest() throws {
        let extra = [
            Migration(version: Migrations.all.count + 1, name: "extra one", sql: "CREATE TABLE extra_one (x INTEGER)"),
            Migration(version: Migrations.all.count + 2, name: "extra two", sql: "INSERT INTO extra_one VALUES (2)"),
        ]
        let store = try Store(path: ":memory:", migrations: Migrations.all + extra)
        #expect(try store.schemaVersion() == Migrations.all.count + 2)
        #expect(try store.rows("SELECT x FROM extra_one") == [[.int(2)]])
    }

    @Test func readingExistingStoreNeedsTheFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("absent.duckdb").path
        let error = #expect(throws: StoreError.self) { _ = try Store(readingExisting: path) }
        #expect(error?.description.contains(path) == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readingExistingStoreCannotWrite() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ro.duckdb").path
        do { _ = try Store(path: path) }
        let reader = try Store(readingExisting: path)
        #expect(try reader.schemaVersion() == Migrations.all.count)
        #expect(throws: DuckDBError.self) { try reader.connect().execute("DELETE FROM schema_migrations") }
    }
}

@Suite struct StoreOptionsTests {
    @Test func memoryLimitIsAppliedToTheDatabase() throws {
        let limited = try Store(path: ":memory:", memoryLimit: "256MiB")
        #expect(try limited.rows("SELECT current_setting('memory_limit')")[0][0].string == "256.0 MiB")
        #expect(throws: DuckDBError.self) { _ = try Store(path: ":memory:", memoryLimit: "lots") }
    }

    @Test func checkpointThresholdIsAppliedOnlyWhenGiven() throws {
        let ingest = try Store(path: ":memory:", checkpointThreshold: Store.ingestCheckpointThreshold)
        #expect(try ingest.rows("SELECT current_setting('checkpoint_threshold')")[0][0].string == "256.0 MiB")
        let plain = try Store(path: ":memory:")
        #expect(try plain.rows("SELECT current_setting('checkpoint_threshold')")[0][0].string == "16.0 MiB")
        #expect(throws: DuckDBError.self) { _ = try Store(path: ":memory:", checkpointThreshold: "lots") }
    }
}
