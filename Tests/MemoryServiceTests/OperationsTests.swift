import Contracts
import Foundation
import MemoryService
import MemoryStore
import Testing

@Suite struct OperationsTests {
    @Test func runSummaryShowsStagesInOrderWithStatusAndAttempts() async throws {
        let f = try ServiceFixture()
        try f.ingest(plannerRun("run-7", trace: 7))
        _ = try await f.call("memory_upsert", ["namespace": "planner", "key": "answer", "value": 42, "run_id": "run-7"])
        let summary = try await f.call("run_summary", ["run_id": "run-7"])
        #expect(summary["run_id"] == "run-7")
        #expect(summary["span_count"] == 7)
        #expect(summary["error_count"] == 1)
        #expect(summary["services"] == ["planner"])
        let stages = try #require(summary["stages"]?.arrayValue)
        #expect(stages.map { $0["stage"] } == ["plan", "retrieve", "act", "verify"])
        #expect(stages.map { $0["index"] } == [0, 1, 2, 3])
        let act = stages[2]
        #expect(act["attempts"] == 2)
        // The last attempt succeeded.
        #expect(act["status"] == "unset")
        #expect(act["duration_ms"] == 21.0)
        #expect(stages[0]["duration_ms"] == 10.0)
        #expect(summary["status"] == "ok")
        let errors = try #require(summary["errors"]?.arrayValue)
        #expect(errors.count == 1)
        #expect(errors[0]["stage"] == "act")
        #expect(errors[0]["exception_type"] == "TimeoutError")
        #expect(summary["facts"]?.arrayValue?.first?["key"] == "answer")
        #expect(summary["duration_ms"] == 100)
    }

    @Test func summariesRepeatOnTheSameReaders() async throws {
        var configuration = MemoryService.Configuration()
        configuration.readers = 1
        let f = try ServiceFixture(configuration: configuration)
        try f.ingest(plannerRun("a", trace: 1) + plannerRun("b", trace: 2, at: baseTime + 1_000_000_000))
        for round in 0..<3 {
            for run in ["a", "b"] {
                #expect(try await f.call("run_summary", ["run_id": .string(run)])["span_count"] == 7)
            }
            // Derived rows and facts change between rounds; the kept statement sees them.
            _ = try await f.call("memory_upsert", ["namespace": "n", "key": .string("k\(round)"), "value": 1, "run_id": "a"])
            try await f.service.refreshDerivedTables()
            try await f.service.refreshSearchIndex()
            #expect(try await f.call("run_summary", ["run_id": "a"])["facts"]?.arrayValue?.count == round + 1)
        }
        #expect(try await f.call("memory_query", ["sql": "SELECT count(*) AS n FROM spans"])["rows"] == [[14]])
    }

    @Test func aRunWhoseLastAttemptFailedIsAnError() async throws {
        let f = try ServiceFixture()
        try f.ingest([
            span(trace: 1, span: 1, name: "plan", run: "bad", stage: ("plan", 0), start: baseTime),
            span(trace: 1, span: 2, name: "act", run: "bad", stage: ("act", 1), start: baseTime + 5_000_000, error: "boom"),
        ])
        let summary = try await f.call("run_summary", ["run_id": "bad"])
        #expect(summary["status"] == "error")
        #expect(summary["stages"]?.arrayValue?.last?["status"] == "error")
    }

    @Test func unknownRunIsNotFound() async throws {
        let f = try ServiceFixture()
        #expect(await f.failure("run_summary", ["run_id": "nope"])?.name == "not_found")
        #expect(await f.failure("run_summary", [:])?.name == "invalid_arguments")
    }

    @Test func findExceptionsGroupsByTypeAndLocation() async throws {
        let f = try ServiceFixture()
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let old = now - 3 * 3_600_000_000_000
        try f.ingest([
            span(trace: 1, span: 1, name: "act", run: "a", start: now - 5_000_000_000, exception: ("TimeoutError", "first")),
            span(trace: 2, span: 1, name: "act", run: "b", start: now - 4_000_000_000, exception: ("TimeoutError", "second")),
            span(trace: 3, span: 1, name: "verify", run: "c", start: now - 3_000_000_000, exception: ("ValueError", "bad")),
            span(trace: 4, span: 1, name: "plan", run: "d", start: now - 2_000_000_000, error: "status only"),
            span(trace: 5, span: 1, name: "act", run: "e", start: old, exception: ("TimeoutError", "old")),
        ])
        let recent = try await f.call("find_exceptions", ["since_minutes": 60])
        let groups = try #require(recent["groups"]?.arrayValue)
        #expect(groups.count == 3)
        #expect(groups[0]["exception_type"] == "TimeoutError")
        #expect(groups[0]["location"] == "act")
        #expect(groups[0]["count"] == 2)
        #expect(groups[0]["sample_message"] == "second")
        #expect(Set(groups[0]["run_ids"]?.arrayValue ?? []) == ["a", "b"])
        #expect(groups.contains { $0["exception_type"] == "error status" && $0["location"] == "plan" })
        let all = try await f.call("find_exceptions", ["since_minutes": 600, "limit": 1])
        #expect(all["groups"]?.arrayValue?.first?["count"] == 3)
        #expect(all["groups"]?.arrayValue?.count == 1)
    }

    @Test func healthReportsVersionsCountsAndSize() async throws {
        let f = try ServiceFixture()
        try f.ingest(plannerRun("r", trace: 1))
        let health = try await f.call("memory_health")
        #expect(health["status"] == "ok")
        #expect(health["duckdb_version"] == "v1.5.5")
        #expect(health["memoryd_version"] == .string(MemoryService.version))
        #expect(health["schema_version"] == .integer(Int64(Migrations.all.last!.version)))
        #expect(health["row_counts"]?["spans"] == 7)
        #expect(health["row_counts"]?["memories"] == 0)
        #expect((health["db_bytes"]?.int64Value ?? 0) > 0)
        #expect((health["uptime_s"]?.doubleValue ?? -1) >= 0)
    }

    @Test func schemaDescribesTablesAndColumns() async throws {
        let f = try ServiceFixture()
        let schema = try await f.call("memory_schema")
        let tables = try #require(schema["tables"]?.arrayValue)
        let names = Set(tables.compactMap { $0["name"]?.stringValue })
        #expect(names.isSuperset(of: ["spans", "logs", "events", "memories", "memory_history", "records", "search_documents"]))
        // The search index's internals and migration bookkeeping are not what agents query.
        #expect(!names.contains("docs"))
        for table in tables {
            #expect(table["description"]?.stringValue?.isEmpty == false, "\(table["name"]!)")
        }
        let spans = try #require(tables.first { $0["name"] == "spans" })
        let runID = try #require(spans["columns"]?.arrayValue?.first { $0["name"] == "run_id" })
        #expect(runID["type"] == "VARCHAR")
        #expect(runID["description"]?.stringValue?.contains("dome.run.id") == true)
        #expect(tables.first { $0["name"] == "records" }?["kind"] == "view")
        let one = try await f.call("memory_schema", ["table": "memories"])
        #expect(one["tables"]?.arrayValue?.count == 1)
        #expect(await f.failure("memory_schema", ["table": "nope"])?.name == "not_found")
    }

    @Test func unknownToolsAndArgumentsAreRefused() async throws {
        let f = try ServiceFixture()
        let unknown = await f.failure("memory_delete_everything", [:])
        #expect(unknown?.isUnknownTool == true)
        #expect(unknown?.httpStatus == 404)
        let extra = await f.failure("memory_get", ["namespace": "n", "key": "k", "sneaky": true])
        #expect(extra?.name == "invalid_arguments")
        let wrongType = await f.failure("memory_query", ["sql": 42])
        #expect(wrongType?.name == "invalid_arguments")
        let notObject = await f.failure("memory_health", [1, 2])
        #expect(notObject?.name == "invalid_arguments")
    }

    @Test func everyToolIsDescribedCompletely() {
        let names = MemoryService.tools.map(\.name)
        #expect(names == ["memory_query", "memory_search", "memory_upsert", "memory_get", "memory_forget",
                          "memory_health", "memory_schema", "run_summary", "find_exceptions", "ops_gate",
                          "plan_status", "packet_status"])
        for tool in MemoryService.tools {
            #expect(tool.inputSchema["type"] == "object")
            #expect(tool.outputSchema["type"] == "object")
            #expect(!tool.description.isEmpty && !tool.title.isEmpty)
            #expect(tool.annotations.readOnly == !["memory_upsert", "memory_forget"].contains(tool.name))
        }
        #expect(MemoryService.tools.first { $0.name == "memory_forget" }?.annotations.destructive == true)
    }
}
