import Contracts
import Foundation
import MemoryService
import MemoryStore
import Testing

@Suite struct QueryTests {
    @Test func returnsTypedColumnsRowsAndTiming() async throws {
        let f = try ServiceFixture()
        try f.ingest(plannerRun("run-1", trace: 1))
        let result = try await f.call("memory_query", [
            "sql": "SELECT name, duration_ns, start_time, attributes FROM spans WHERE run_id = $1 AND stage = $2",
            "params": ["run-1", "plan"],
        ])
        #expect(result["columns"] == [
            ["name": "name", "type": "VARCHAR"], ["name": "duration_ns", "type": "BIGINT"],
            ["name": "start_time", "type": "TIMESTAMP WITH TIME ZONE"], ["name": "attributes", "type": "JSON"],
        ])
        let row = try #require(result["rows"]?.arrayValue?.first?.arrayValue)
        #expect(row[0] == "plan")
        #expect(row[1] == 10_000_000)
        #expect(row[2] == "2025-11-24T16:00:00.001000Z")
        // JSON columns come back as structure, not as text.
        #expect(row[3]["dome.stage"] == "plan")
        #expect(result["row_count"] == 1)
        #expect(result["truncated"] == false)
        #expect((result["elapsed_ms"]?.doubleValue ?? -1) >= 0)
    }

    @Test func rowsAreBoundedByDefaultAndByTheCap() async throws {
        let f = try ServiceFixture()
        let capped = try await f.call("memory_query", ["sql": "SELECT * FROM range(1000)"])
        #expect(capped["row_count"] == 100)
        #expect(capped["truncated"] == true)
        #expect(capped["truncated_reason"]?.stringValue?.hasPrefix("max_rows") == true)
        let asked = try await f.call("memory_query", ["sql": "SELECT * FROM range(1000)", "max_rows": 250])
        #expect(asked["row_count"] == 250)
        let exact = try await f.call("memory_query", ["sql": "SELECT * FROM range(100)"])
        #expect(exact["truncated"] == false)
        let over = await f.failure("memory_query", ["sql": "SELECT 1", "max_rows": 10_001])
        #expect(over?.name == "invalid_arguments")
    }

    @Test func aHugeResultIsCutOffAtTheByteBound() async throws {
        let f = try ServiceFixture()
        // 3,000 rows of 100 kB: 300 MB if it were materialized; streamed, it stops at 4 MiB.
        let result = try await f.call("memory_query", [
            "sql": "SELECT repeat('x', 100000) AS blob FROM range(3000)", "max_rows": 10_000,
        ])
        #expect(result["truncated"] == true)
        #expect(result["truncated_reason"]?.stringValue?.hasPrefix("max_bytes") == true)
        #expect((result["row_count"]?.int64Value ?? 99) <= 42)
        #expect(result.jsonText.utf8.count <= (4 << 20) + 1024)
    }

    @Test func aGigabyteRowBlockIsCutOff() async throws {
        let f = try ServiceFixture()
        // 1,000 rows of 1 MB in one DuckDB chunk (1 GB), which DuckDB computes before the first
        // row arrives: cut off by bytes or by time, never returned.
        let started = ContinuousClock.now
        do {
            let result = try await f.call("memory_query", [
                "sql": "SELECT repeat('x', 1000000) AS blob FROM range(1000)", "max_rows": 10_000, "timeout_ms": 3000,
            ])
            #expect(result["truncated"] == true)
            #expect(result.jsonText.utf8.count <= (4 << 20) + 1024)
        } catch let error as MemoryServiceError {
            #expect(error.name == "timeout", "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(60))  // a hang guard
        #expect(try await f.call("memory_query", ["sql": "SELECT 1 AS one"])["rows"] == [[1]])
    }

    @Test func aRunawayQueryIsInterruptedAtItsTimeBudget() async throws {
        let f = try ServiceFixture()
        let started = ContinuousClock.now
        let error = await f.failure("memory_query", [
            "sql": "SELECT count(*) FROM range(1000000000) a, range(1000000000) b", "timeout_ms": 300,
        ])
        #expect(error?.name == "timeout")
        // A hang guard, not a speed figure: a loaded test machine stretches the interrupt.
        #expect(ContinuousClock.now - started < .seconds(60))
        // The connection is usable again afterwards.
        let after = try await f.call("memory_query", ["sql": "SELECT 42 AS answer"])
        #expect(after["rows"] == [[42]])
        let tooLong = await f.failure("memory_query", ["sql": "SELECT 1", "timeout_ms": 30_001])
        #expect(tooLong?.name == "invalid_arguments")
    }

    /// Everything an untrusted caller might try: each is refused with a clear error, and the
    /// service keeps answering.
    @Test(arguments: [
        // DuckDB's grammar has no DML in CTEs: it fails to parse.
        ("WITH gone AS (DELETE FROM memories RETURNING *) SELECT * FROM gone", "invalid_arguments"),
        ("INSERT INTO memories VALUES ('a','b','1',1,NULL,NULL,NULL,'cli',NULL,now(),now(),NULL)", "refused"),
        ("SELECT 1; DROP TABLE spans", "refused"),
        ("SELECT 1; SELECT 2", "refused"),
        ("COPY spans TO '/tmp/memoryd-stolen.csv'", "refused"),
        ("SELECT * FROM read_csv('/etc/passwd')", "invalid_arguments"),
        ("SELECT * FROM read_text('/etc/hostname')", "invalid_arguments"),
        ("SELECT * FROM glob('/etc/*')", "invalid_arguments"),
        ("ATTACH '/tmp/memoryd-other.duckdb' AS other", "refused"),
        ("INSTALL httpfs", "refused"),
        ("LOAD httpfs", "refused"),
        ("SET threads = 1", "refused"),
        ("SET enable_external_access = true", "refused"),
        ("PRAGMA threads = 1", "refused"),
        ("CALL checkpoint()", "refused"),
        ("CHECKPOINT", "refused"),
        ("SELECT nextval('search_document_ids')", "invalid_arguments"),
        ("EXPLAIN ANALYZE SELECT 1", "refused"),
        ("DROP TABLE spans", "refused"),
        ("UPDATE memories SET value = '1'", "refused"),
        ("EXPORT DATABASE '/tmp/memoryd-export'", "refused"),
        ("", "refused"),
        ("SELEC 1", "invalid_arguments"),
        ("SELECT * FROM no_such_table", "invalid_arguments"),
    ])
    func untrustedSQLIsContained(sql: String, expected: String) async throws {
        let f = try ServiceFixture()
        let error = await f.failure("memory_query", ["sql": .string(sql)])
        #expect(error?.name == expected, "\(sql): \(error?.message ?? "no error")")
        #expect(error?.message.isEmpty == false)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/memoryd-stolen.csv"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/memoryd-export"))
        #expect(try f.count("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'other'") == 0)
        let still = try await f.call("memory_query", ["sql": "SELECT count(*) AS n FROM spans"])
        #expect(still["rows"] == [[0]])
    }

    @Test func parametersMustMatchTheStatement() async throws {
        let f = try ServiceFixture()
        let missing = await f.failure("memory_query", ["sql": "SELECT $1::INTEGER"])
        #expect(missing?.name == "refused")
        #expect(missing?.message.contains("1 parameter") == true)
        let nested = await f.failure("memory_query", ["sql": "SELECT $1", "params": [["a": 1]]])
        #expect(nested?.name == "invalid_arguments")
    }

    @Test func ingestKeepsCommittingWhileAQueryRuns() async throws {
        let f = try ServiceFixture()
        let slow = Task {
            let error = await f.failure("memory_query", [
                "sql": "SELECT count(*) FROM range(1000000000) a, range(1000000000) b", "timeout_ms": 8000,
            ])
            return (error, ContinuousClock.now)
        }
        try await Task.sleep(for: .milliseconds(300))
        try f.ingest(plannerRun("concurrent", trace: 9))
        let ingested = ContinuousClock.now
        let (error, queryEnded) = await slow.value
        #expect(error?.name == "timeout")
        // The commit did not wait for the query: it finished while the query still ran.
        #expect(ingested < queryEnded)
        #expect(try f.count("SELECT count(*) FROM spans WHERE run_id = 'concurrent'") == 7)
    }
}
