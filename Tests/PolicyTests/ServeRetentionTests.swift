import Foundation
import MemoryStore
import Testing
import TestSupport

/// Inside `serve`: retention runs on its schedule while ingest keeps committing, and an
/// acknowledged memory call's audit row survives `kill -9`.
@Suite("serve: retention service and audit durability")
struct ServeRetentionTests {
    static func spans(traceID: Int, ageSeconds: UInt64, count: Int) -> String {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let start = now - ageSeconds * 1_000_000_000
        let spans = (0..<count).map { i in
            """
            {"traceId":"\(String(format: "%032x", traceID))","spanId":"\(String(format: "%016x", i + 1))","name":"s",
             "kind":1,"startTimeUnixNano":"\(start)","endTimeUnixNano":"\(start + 1000)"}
            """
        }.joined(separator: ",")
        return #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + spans + "]}]}]}"
    }

    @Test func scheduledPassDeletesOldRowsWhileIngestGoesOn() async throws {
        try await TemporaryDirectory.with { directory in
            try "[retention]\nspans = \"1h\"\ninterval = \"1s\"\nbatch_rows = 3\n"
                .write(to: directory.appendingPathComponent("memoryd.toml"), atomically: true, encoding: .utf8)
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            let json = [("Content-Type", "application/json")]
            // Two days old: past the hour; then fresh batches keep arriving while passes run.
            #expect(try await HTTP.request(port: server.otlpPort, .post, "/v1/traces", headers: json,
                                           body: Self.spans(traceID: 1, ageSeconds: 2 * 86_400, count: 10)).status == 200)
            for batch in 0..<10 {
                let fresh = try await HTTP.request(port: server.otlpPort, .post, "/v1/traces", headers: json,
                                                   body: Self.spans(traceID: 100 + batch, ageSeconds: 0, count: 5))
                #expect(fresh.status == 200)
                try await Task.sleep(for: .milliseconds(300))
            }
            _ = await server.stop()
            let counts = try await Tools.stockQuery(db, """
                select count(*) filter (where trace_id = '\(String(format: "%032x", 1))') || '|' || count(*) from spans
                """)
            #expect(counts == ["0|50"], "old spans gone, every fresh one kept: \(counts)")
            let audit = try await Tools.stockQuery(db, """
                select row_counts from audit_log where operation = 'retention apply' and surface = 'daemon'
                """)
            #expect(audit == [#"{"spans":10}"#], "\(audit)")
            #expect(try AuditLog.verify(store: Store(readingExisting: db)).intact)
        }
    }

    @Test func answeredCallsAreAuditedAcrossKill9() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            for i in 0..<20 {
                let body = #"{"namespace": "n", "key": "k\#(i)", "value": \#(i)}"#
                #expect(try await HTTP.request(port: server.apiPort, .post, "/v1/memories", body: body).status == 200)
            }
            _ = await server.stop(signal: SIGKILL)
            let verification = try AuditLog.verify(store: Store(path: db))
            #expect(verification.intact && verification.rows == 20, "\(verification)")
        }
    }
}
