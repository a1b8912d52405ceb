import DuckDB
import Foundation
import MemoryStore
import Testing

@Suite struct ReadOnlyQueryTests {
    /// Files the refused statements would write; never created (see `refusedStatementsWriteNoFiles`).
    private static let outside = FileManager.default.temporaryDirectory.appendingPathComponent("memoryd-readonly-never").path

    @Test(arguments: [
        "INSERT INTO ingest_checkpoints VALUES ('x', 1, NULL, 1, 0, now())",
        "UPDATE ingest_checkpoints SET position = 0",
        "DELETE FROM spans",
        "CREATE TABLE sneaky (x INTEGER)",
        "CREATE VIEW sneaky_view AS SELECT 1",
        "DROP TABLE spans",
        "ALTER TABLE spans ADD COLUMN sneaky INTEGER",
        "SELECT 1; SELECT 2",
        "SELECT 1; DROP TABLE spans",
        "COPY spans TO '\(outside).csv'",
        "COPY (SELECT 1) TO '\(outside).parquet' (FORMAT parquet)",
        "SET threads = 1",
        "SET VARIABLE x = 1",
        "PRAGMA enable_profiling",
        "ATTACH '\(outside).duckdb' AS other",
        "CALL pragma_version()",
        "LOAD json",
        "BEGIN TRANSACTION",
        "CHECKPOINT",
        "",
        "-- only a comment",
    ])
    func refuses(_ sql: String) throws {
        let store = try Store(path: ":memory:")
        try store.connect().execute("INSERT INTO ingest_checkpoints VALUES ('keep', 7, NULL, 70, 0, now())")
        let error = #expect(throws: StoreError.self) { _ = try store.readOnlyQuery(sql) }
        #expect(error?.isRefusal == true)
        // Nothing happened.
        #expect(try store.rows("SELECT source, position FROM ingest_checkpoints") == [[.text("keep"), .int(7)]])
        #expect(try store.count("duckdb_tables()", where: "table_name LIKE 'sneaky%'") == 0)
        #expect(try store.count("duckdb_views()", where: "view_name LIKE 'sneaky%'") == 0)
        #expect(try store.count("duckdb_databases()", where: "database_name = 'other'") == 0)
    }

    @Test func refusedStatementsWriteNoFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: ":memory:")
        let base = directory.path + "/out"
        for sql in ["COPY spans TO '\(base).csv'", "COPY (SELECT 1) TO '\(base).parquet' (FORMAT parquet)",
                    "ATTACH '\(base).duckdb' AS other"] {
            let error = #expect(throws: StoreError.self, "\(sql)") { _ = try store.readOnlyQuery(sql) }
            #expect(error?.isRefusal == true)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    @Test func refusedExportCreatesNoDirectory() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: ":memory:")
        let error = #expect(throws: StoreError.self) { _ = try store.readOnlyQuery("EXPORT DATABASE '\(directory.path)/export'") }
        #expect(error?.isRefusal == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    @Test func refusalsNameWhatWasRefused() throws {
        let store = try Store(path: ":memory:")
        let many = #expect(throws: StoreError.self) { _ = try store.readOnlyQuery("SELECT 1; SELECT 2") }
        #expect(many?.description.contains("2") == true)
        let write = #expect(throws: StoreError.self) { _ = try store.readOnlyQuery("DELETE FROM spans") }
        #expect(write?.description.lowercased().contains("delete") == true)
    }

    @Test(arguments: [
        "EXPLAIN ANALYZE CREATE TABLE sneaky AS SELECT 42 AS x",
        "EXPLAIN ANALYZE DELETE FROM ingest_checkpoints",
        "explain analyse delete from ingest_checkpoints",
        "/* note */ EXPLAIN\n  ANALYZE DELETE FROM ingest_checkpoints",
        "EXPLAIN (ANALYZE) DELETE FROM ingest_checkpoints",
        "EXPLAIN (FORMAT JSON, ANALYZE) DELETE FROM ingest_checkpoints",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '{dir}/analyze.csv'",
    ])
    func explainAnalyzeOfAWriteDoesNotWrite(_ sql: String) throws {
        // EXPLAIN ANALYZE runs the statement it explains: it must not be a way around the refusal.
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: ":memory:")
        try store.connect().execute("INSERT INTO ingest_checkpoints VALUES ('keep', 7, NULL, 70, 0, now())")
        _ = try? store.readOnlyQuery(sql.replacingOccurrences(of: "{dir}", with: directory.path))
        #expect(try store.count("duckdb_tables()", where: "table_name = 'sneaky'") == 0)
        #expect(try store.count("ingest_checkpoints") == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    /// EXPLAIN ANALYZE executes what it explains, so it is refused outright; plain EXPLAIN works.
    @Test func explainAnalyzeIsRefusedEvenOfASelect() throws {
        let store = try Store(path: ":memory:")
        let error = #expect(throws: StoreError.self) { _ = try store.readOnlyQuery("EXPLAIN ANALYZE SELECT count(*) FROM spans") }
        #expect(error?.isRefusal == true)
        #expect(try !store.readOnlyQuery("EXPLAIN SELECT count(*) FROM spans").rows.isEmpty)
    }

    @Test func parseErrorIsDuckDBsNotARefusal() throws {
        let store = try Store(path: ":memory:")
        let error = #expect(throws: DuckDBError.self) { _ = try store.readOnlyQuery("SELEC 1") }
        #expect(error?.message.contains("syntax error") == true)
    }

    @Test func allowsSelect() throws {
        let store = try Store(path: ":memory:")
        let result = try store.readOnlyQuery("SELECT 1 + 1 AS two, 'x' AS letter")
        #expect(result.columns.map(\.name) == ["two", "letter"])
        #expect(result.rows == [[.int(2), .text("x")]])
    }

    @Test func allowsSelectWithTrailingSemicolonAndCTE() throws {
        let store = try Store(path: ":memory:")
        #expect(try store.readOnlyQuery("WITH t AS (SELECT 5 AS v) SELECT v FROM t;").rows == [[.int(5)]])
    }

    @Test func allowsQueriesOverTheSchema() throws {
        let store = try Store(path: ":memory:")
        #expect(try store.readOnlyQuery("SELECT count(*) FROM records").rows == [[.int(0)]])
        #expect(try store.readOnlyQuery("SELECT count(*) FROM spans JOIN logs USING (trace_id)").rows == [[.int(0)]])
    }

    @Test func allowsExplain() throws {
        let store = try Store(path: ":memory:")
        let result = try store.readOnlyQuery("EXPLAIN SELECT * FROM spans")
        #expect(!result.rows.isEmpty)
        #expect(result.rows.contains { $0.contains { $0.string?.contains("SPANS") == true || $0.string?.contains("spans") == true } })
    }

    @Test func bindsParameters() throws {
        let store = try Store(path: ":memory:")
        let result = try store.readOnlyQuery("SELECT $1::VARCHAR || '!' AS shout, $2::BIGINT + 1 AS next, $3 IS NULL AS missing",
                                             parameters: [.text("hey"), .int(41), .null])
        #expect(result.rows == [[.text("hey!"), .int(42), .bool(true)]])
    }

    @Test func missingParameterIsAnError() throws {
        let store = try Store(path: ":memory:")
        let error = #expect(throws: StoreError.self) { _ = try store.readOnlyQuery("SELECT $1::INTEGER") }
        #expect(error?.isRefusal == true)
        #expect(error?.description == "the statement has 1 parameter(s), 0 value(s) given")
    }

    @Test func maxRowsLimitsAndFlagsTruncation() throws {
        let store = try Store(path: ":memory:")
        let limited = try store.readOnlyQuery("SELECT * FROM range(100)", maxRows: 5)
        #expect(limited.rows.count == 5)
        #expect(limited.truncated)
        let all = try store.readOnlyQuery("SELECT * FROM range(5)", maxRows: 5)
        #expect(!all.truncated)
    }

    @Test func worksOnAStoreOpenedForReading() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("memory.duckdb").path
        do { _ = try Store(path: path) }
        let reader = try Store(readingExisting: path)
        #expect(try reader.readOnlyQuery("SELECT count(*) FROM spans").rows == [[.int(0)]])
        let error = #expect(throws: StoreError.self) { _ = try reader.readOnlyQuery("DELETE FROM spans") }
        #expect(error?.isRefusal == true)
    }
}
