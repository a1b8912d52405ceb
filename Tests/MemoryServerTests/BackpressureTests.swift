import Foundation
import MemoryIngest
import OTLP
import SwiftProtobuf
import Testing

/// A full ingest queue refuses new exports with 429 and Retry-After (the OTLP retry signal)
/// instead of buffering without bound; what it accepted is committed, what it refused is not.
@Suite("Ingest back-pressure")
struct BackpressureTests {
    @Test("a full queue answers 429 with Retry-After; acknowledged batches are all stored")
    func queueFull() async throws {
        // Room for one queued batch of 19 spans: any export arriving while one waits is refused.
        try await InProcessServer.with(ingest: .init(maxQueuedRows: 25, maxRowsPerCommit: 100_000)) { server in
            let template = try SpanBatches.template()
            let perBatch = SpanBatches.spanCount(template)
            var all: [(trace: String, response: HTTP.Response)] = []
            var waves = 0
            // Concurrent waves until the queue has refused something (the first nearly always does).
            while waves < 6, !all.contains(where: { $0.response.status == 429 }) {
                waves += 1
                all += try await withThrowingTaskGroup(of: (trace: String, response: HTTP.Response).self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            let trace = SpanBatches.randomTraceID()
                            let body: [UInt8] = try SpanBatches.batch(from: template, traceID: trace).serializedBytes()
                            let response = try await server.post(signal: "traces", contentType: "application/x-protobuf", body: body)
                            return (trace, response)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let refused = all.filter { $0.response.status == 429 }
            #expect(!refused.isEmpty, "no 429 in \(waves) waves of 12 concurrent exports")
            for outcome in all {
                #expect(outcome.response.status == 200 || outcome.response.status == 429, "\(outcome.response)")
            }
            for outcome in refused {
                #expect(outcome.response.headers[.retryAfter] != nil, "429 without Retry-After")
                #expect(try outcome.response.rpcStatus().code == 8, "RESOURCE_EXHAUSTED")
            }
            // Exactly the acknowledged batches are stored, each complete.
            let acknowledged = Set(all.filter { $0.response.status == 200 }.map(\.trace))
            let stored = try server.store.rows("SELECT trace_id, count(*) AS n FROM spans GROUP BY trace_id")
            #expect(Set(stored.compactMap { $0["trace_id"]?.string }) == acknowledged)
            #expect(stored.allSatisfy { $0["n"]?.int64 == Int64(perBatch) })

            // The queue drains: a refused batch retried alone now goes through.
            if let retry = refused.first {
                let body: [UInt8] = try SpanBatches.batch(from: template, traceID: retry.trace).serializedBytes()
                let response = try await server.post(signal: "traces", contentType: "application/x-protobuf", body: body)
                #expect(response.status == 200, "\(response)")
                #expect(try server.store.count("spans", where: "trace_id = '\(retry.trace)'") == perBatch)
            }
        }
    }
}
