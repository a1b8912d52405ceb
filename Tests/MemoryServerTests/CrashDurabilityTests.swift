import Foundation
import Testing
import TestSupport

/// The real binary under load from several clients: a 200 means committed, whatever
/// happens to the process next (SIGKILL, SIGTERM).
@Suite("memoryd under load, stopped abruptly")
struct CrashDurabilityTests {
    @Test("after kill -9 mid-load, every acknowledged batch is there once the server restarts")
    func killNineMidLoad() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            let pid = server.pid
            let load = LoadGenerator(port: server.otlpPort)
            try await load.run { kill(pid, SIGKILL) }
            await server.kill9()
            #expect(server.process.terminationReason == .uncaughtSignal)

            let acknowledged = load.acknowledgedTraceIDs
            #expect(acknowledged.count >= load.threshold)
            let statuses = Set(load.outcomes.compactMap(\.status))
            #expect(statuses.isSubset(of: [200]), "before the kill every export succeeds: \(statuses)")
            #expect(load.outcomes.contains { $0.status == nil }, "some export was cut off by the kill")

            // DuckDB replays its WAL when the server opens the file again.
            let restarted = try await TestServer.start(databasePath: db)
            #expect(try await restarted.get("/readyz").status == 200)
            #expect(try await restarted.post(try Fixtures.entry("13-otelsdk-gzip-traces.pb.gz")).status == 200)
            #expect(await restarted.stop() == .init(status: 0, bySignal: false), "\(restarted.log)")

            try await Self.expectAcknowledgedStored(db: db, load: load, extraSpans: 6)
        }
    }

    @Test("SIGTERM mid-load: in-flight exports finish or get 503, acknowledged ones are kept, exit 0")
    func sigtermMidLoad() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            let pid = server.pid
            let load = LoadGenerator(port: server.otlpPort)
            try await load.run { kill(pid, SIGTERM) }
            let termination = await server.stop()
            #expect(termination == .init(status: 0, bySignal: false), "\(server.log)")

            let outcomes = load.outcomes
            #expect(load.acknowledgedTraceIDs.count >= load.threshold)
            for outcome in outcomes {
                guard let status = outcome.status else { continue }
                #expect(status == 200 || status == 503, "unexpected status \(status) while stopping")
                if status == 503 { #expect(outcome.retryAfter != nil, "503 without Retry-After") }
            }

            // The graceful stop checkpointed: the file opens with the CLI straight away, no WAL left.
            let wal = db + ".wal"
            let walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? NSNumber)?.intValue ?? 0
            #expect(walSize == 0, "WAL left behind: \(walSize) bytes")
            try await Self.expectAcknowledgedStored(db: db, load: load, extraSpans: 0)

            // And after a restart.
            let restarted = try await TestServer.start(databasePath: db)
            #expect(try await restarted.get("/healthz").status == 200)
            #expect(await restarted.stop() == .init(status: 0, bySignal: false), "\(restarted.log)")
            try await Self.expectAcknowledgedStored(db: db, load: load, extraSpans: 0)
        }
    }

    /// Every acknowledged trace has all its 19 spans; nothing else but attempted traces
    /// (each complete: a batch commits whole or not at all) and `extraSpans`.
    static func expectAcknowledgedStored(db: String, load: LoadGenerator, extraSpans: Int,
                                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let spansPerBatch = SpanBatches.spanCount(try SpanBatches.template())
        let rows = try await MemorydCLI.query(db: db, "SELECT trace_id, count(*) AS n FROM spans GROUP BY trace_id")
        var stored: [String: Int64] = [:]
        for row in rows {
            if let trace = row["trace_id"]?.stringValue, let n = row["n"]?.int64Value { stored[trace] = n }
        }
        let attempted = load.attemptedTraceIDs
        let acknowledged = load.acknowledgedTraceIDs
        let missing = acknowledged.filter { stored[$0] != Int64(spansPerBatch) }
        #expect(missing.isEmpty, "acknowledged but not (fully) stored: \(missing.sorted())", sourceLocation: sourceLocation)
        let loadTraces = stored.filter { attempted.contains($0.key) }
        #expect(loadTraces.values.allSatisfy { $0 == Int64(spansPerBatch) }, "a batch stored partly", sourceLocation: sourceLocation)
        #expect(loadTraces.count >= acknowledged.count, sourceLocation: sourceLocation)
        let otherSpans = stored.filter { !attempted.contains($0.key) }.values.reduce(0, +)
        #expect(otherSpans == Int64(extraSpans), "spans of traces nobody sent", sourceLocation: sourceLocation)
    }
}
