import Foundation
import MemoryStore
import Testing
import TestSupport

/// The real binary: data committed before a graceful stop is there after a restart, and the
/// file then opens with `memoryd query`.
@Suite("memoryd restart")
struct RestartPersistenceTests {
    static let firstRun = ["01-logfire-otlp-traces.pb", "14-otelsdk-gzip-logs.pb.gz", "22-otlpjson-converted-metrics.otlp.json"]
        + Fixtures.logfireNativeRun

    @Test("committed data survives SIGTERM and restart; the file opens with the CLI")
    func survivesRestart() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path

            let first = try await TestServer.start(databasePath: db)
            for file in Self.firstRun {
                let response = try await first.post(try Fixtures.entry(file))
                #expect(response.status == 200, "\(file): \(response)")
            }
            let stopped = await first.stop()
            #expect(stopped == .init(status: 0, bySignal: false), "\(first.log)")

            let expected = TableCounts(spans: 19 + 19, pendingSpans: 0, logs: 5 + 1, points: 7 + 9)
            #expect(try await Self.counts(db) == expected)

            // Restart on the same file: still there, retries still deduplicate, new data adds.
            let second = try await TestServer.start(databasePath: db)
            #expect(try await second.get("/readyz").status == 200)
            #expect(try await second.post(try Fixtures.entry("01-logfire-otlp-traces.pb")).status == 200)
            #expect(try await second.post(try Fixtures.entry("21-otlpjson-converted-logs.otlp.json")).status == 200)
            #expect(try await second.post(try Fixtures.entry("13-otelsdk-gzip-traces.pb.gz")).status == 200)
            let stoppedAgain = await second.stop()
            #expect(stoppedAgain == .init(status: 0, bySignal: false), "\(second.log)")

            var after = expected
            after.spans += 6
            #expect(try await Self.counts(db) == after)
            // Opening an existing file does not migrate it again.
            #expect(try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM schema_migrations") == Migrations.all.count)
            #expect(try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM spans WHERE run_id IS NULL") == 0)
            // Key fields read back through the CLI: the logfire root span of 01.
            let root = try await MemorydCLI.query(db: db, """
                SELECT span_name, message, level, trace_id, duration > 0 AS has_duration FROM records
                WHERE span_id = 'd745d1553ec3ef3e'
                """)
            #expect(root == [.object(["span_name": .string("run {agent}"), "message": .string("run dome-planner"),
                                       "level": .integer(9), "trace_id": .string("01a20f964981e1859306450e064077b7"),
                                       "has_duration": .bool(true)])])
            let sources = try await MemorydCLI.query(db: db, "SELECT source, position FROM ingest_checkpoints ORDER BY source")
            #expect(sources == [
                .object(["source": .string("otlp/logs"), "position": .integer(3)]),
                .object(["source": .string("otlp/metrics"), "position": .integer(3)]),
                .object(["source": .string("otlp/traces"), "position": .integer(8)]),
            ])

            let health = try await MemorydCLI.run(["health", "--db", db, "--json"], in: directory)
            #expect(health.status == 0, "\(health.stderr)")
            let report = try JSONValue(parsing: health.stdout)
            #expect(report["row_counts"]?["spans"]?.int64Value == Int64(after.spans))
            #expect(report["schema_version"]?.int64Value == Int64(Migrations.all.last!.version))
        }
    }

    @Test("memoryd query refuses writes and bad SQL with exit 2 and one line")
    func queryRefusals() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            #expect(try await server.post(try Fixtures.entry("13-otelsdk-gzip-traces.pb.gz")).status == 200)

            // While serve holds the file, query cannot open it: a runtime failure, one line.
            let locked = try await MemorydCLI.run(["query", "--db", db, "SELECT 1"], in: directory)
            #expect(locked.status != 0)
            #expect(locked.stderr.hasPrefix("memoryd: ") && locked.stderr.split(separator: "\n").count == 1, "\(locked.stderr)")
            #expect(await server.stop() == .init(status: 0, bySignal: false))

            for sql in ["DELETE FROM spans", "DROP TABLE spans", "SELEC nonsense", "SELECT 1; SELECT 2",
                        "SELECT * FROM no_such_table"] {
                let output = try await MemorydCLI.run(["query", "--db", db, "--format", "json", sql], in: directory)
                #expect(output.status == 2, "\(sql): \(output.stderr)")
                #expect(output.stderr.hasPrefix("memoryd: "), "\(sql): \(output.stderr)")
                #expect(output.stderr.split(separator: "\n").count == 1, "\(sql): \(output.stderr)")
                #expect(output.stdout.isEmpty, "\(sql)")
            }
            #expect(try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM spans") == 6)
        }
    }

    static func counts(_ db: String) async throws -> TableCounts {
        TableCounts(spans: try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM spans"),
                    pendingSpans: try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM pending_spans"),
                    logs: try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM logs"),
                    points: try await MemorydCLI.count(db: db, "SELECT count(*) AS n FROM metric_points"))
    }
}
