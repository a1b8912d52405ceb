import DuckDB
import Foundation
import MemoryStore
import OTLP
import SwiftProtobuf
import Testing
import TestSupport

/// OTLP clients retry an export whose response they did not see: the same body again must
/// store nothing new (spans by id, logs and points by content key).
@Suite("Retried exports")
struct RetryIdempotencyTests {
    static let retried = [
        "01-logfire-otlp-traces.pb", "13-otelsdk-gzip-traces.pb.gz", "20-otlpjson-converted-traces.otlp.json",
        "17-otelsdk-grpc-traces.grpc.pb", "02-logfire-otlp-logs.pb", "14-otelsdk-gzip-logs.pb.gz",
        "21-otlpjson-converted-logs.otlp.json", "03-logfire-otlp-metrics.pb", "11-logfire-native-metrics.pb.gz",
        "15-otelsdk-gzip-metrics.pb.gz", "22-otlpjson-converted-metrics.otlp.json", "05-logfire-native-traces.pb.gz",
    ]

    @Test("the same body twice stores the rows once", arguments: retried)
    func sameBodyTwice(_ file: String) async throws {
        let entry = try Fixtures.entry(file)
        try await InProcessServer.with { server in
            let first = try await server.post(entry)
            #expect(first.status == 200, "\(first)")
            let once = try server.store.tableCounts()
            #expect(once != TableCounts())
            let second = try await server.post(entry)
            #expect(second.status == 200, "\(second)")
            #expect(second.body == first.body, "the retry gets the same answer")
            #expect(try server.store.tableCounts() == once)
            // Both exports were committed batches of the source.
            #expect(try server.store.integer("SELECT position FROM ingest_checkpoints WHERE source = 'otlp/\(entry.signal)'") == 2)
        }
    }

    /// Retries that race each other land in the same group commit.
    @Test("eight concurrent copies of a batch store it once", arguments: [
        "01-logfire-otlp-traces.pb", "14-otelsdk-gzip-logs.pb.gz", "15-otelsdk-gzip-metrics.pb.gz", "05-logfire-native-traces.pb.gz",
    ])
    func concurrentCopies(_ file: String) async throws {
        let entry = try Fixtures.entry(file)
        let expected = try entry.expected()
        try await InProcessServer.with { server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await server.post(entry).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 8))
            #expect(try server.store.tableCounts() == TableCounts(
                spans: expected.realSpans.count, pendingSpans: expected.pendingSpans.count,
                logs: expected.logs.count, points: expected.points.count))
        }
    }

    @Test("a retry after a restart of the store is still a duplicate")
    func retryAcrossReopen() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("memory.duckdb").path
            let files = ["01-logfire-otlp-traces.pb", "14-otelsdk-gzip-logs.pb.gz", "03-logfire-otlp-metrics.pb",
                         "15-otelsdk-gzip-metrics.pb.gz"]
            let first = try await InProcessServer.with(databasePath: path) { server in
                for file in files { #expect(try await server.post(file).status == 200) }
                return try server.store.tableCounts()
            }
            #expect(first == TableCounts(spans: 19, logs: 5, points: 14))
            let second = try await InProcessServer.with(databasePath: path) { server in
                for file in files { #expect(try await server.post(file).status == 200) }
                return try server.store.tableCounts()
            }
            #expect(second == first)
        }
    }

    /// Logfire re-sends a batch whose response it missed. When that batch held pending spans
    /// and the real spans have been stored since, the pending spans must not come back.
    @Test("a retried batch of pending spans does not resurrect them once the real spans exist")
    func pendingSpanRetryAfterRealSpan() async throws {
        try await InProcessServer.with { server in
            for file in Fixtures.logfireNativeRun {
                #expect(try await server.post(file).status == 200)
            }
            #expect(try server.store.count("pending_spans") == 0)
            let before = try server.store.tableCounts()

            // 05 announced the run and its first stage; both real spans are stored by now.
            #expect(try await server.post("05-logfire-native-traces.pb.gz").status == 200)
            #expect(try server.store.tableCounts() == before)
            #expect(try server.store.integer("""
                SELECT count(*) FROM pending_spans p JOIN spans s
                ON s.trace_id = p.trace_id AND s.span_id = p.parent_span_id
                """) == 0, "pending spans whose real span is stored")
        }
    }

    /// Batches can also arrive out of order (a retried early batch after a later one).
    @Test("pending spans arriving after their real span are not kept")
    func pendingAfterRealOutOfOrder() async throws {
        try await InProcessServer.with { server in
            // 06 holds the real 'stage plan' span that 05's pending span announces.
            #expect(try await server.post("06-logfire-native-traces-2.pb.gz").status == 200)
            #expect(try await server.post("05-logfire-native-traces.pb.gz").status == 200)
            let superseded = try server.store.integer("""
                SELECT count(*) FROM pending_spans p JOIN spans s
                ON s.trace_id = p.trace_id AND s.span_id = p.parent_span_id
                """)
            #expect(superseded == 0, "pending spans whose real span is stored")
            // What is left pending: the run (its real span is in 10) and 06's own stage.
            #expect(try server.store.count("pending_spans") == 2)
        }
    }
}
