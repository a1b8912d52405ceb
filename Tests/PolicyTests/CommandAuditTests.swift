import Foundation
import MemoryStore
import Testing
import TestSupport

/// Mutating CLI commands and stdio MCP append to the same audit chain (actor `local`).
@Suite("command audit")
struct CommandAuditTests {
    @Test func ingestReplayAndStdioMCPAreAudited() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let fixture = Tools.root.appendingPathComponent("Tests/ContractsTests/Fixtures/envelopes/clean.jsonl").path
            let ingest = try await Tools.memoryd(["ingest", "--db", db, fixture], directory: directory)
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let replay = try await Tools.memoryd(["replay", "--db", db], directory: directory)
            #expect(replay.status == 0, "\(replay.stderr)")
            let session = [
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"stdio-test","version":"1"}}}"#,
                #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"memory_upsert","arguments":{"namespace":"n","key":"k","value":{"password":"hunter2"}}}}"#,
            ].joined(separator: "\n") + "\n"
            let mcp = try await Tools.memoryd(["mcp", "--db", db], input: session, directory: directory)
            #expect(mcp.stdout.contains("\"version\":1"), "\(mcp.stdout) \(mcp.stderr)")

            let rows = try await Tools.stockQuery(db, """
                select concat_ws('|', actor, surface, operation, coalesce(target, '-'), outcome) from audit_log order by seq
                """)
            #expect(rows == ["local|cli|ingest|\(fixture)|ok", "local|cli|replay|-|ok", "local|mcp|memory_upsert|n/k|ok"], "\(rows)")
            let counts = try await Tools.stockQuery(db, "select row_counts from audit_log where operation = 'ingest'")
            #expect(counts.first?.contains("\"stored\":") == true, "\(counts)")
            // False positives on the envelope fixture: nothing in it is a secret, so nothing is replaced
            // (the fact written over stdio MCP above has its password redacted).
            let redacted = try await Tools.stockQuery(db, "select table_name || ':' || rule from redactions order by 1")
            #expect(redacted == ["memories:password"], "\(redacted)")
            let guards = try await Tools.stockQuery(db, "select count(*) from guard_outcomes where guard_id = 'pii-egress'")
            #expect(guards == ["10"])
            let verify = try await Tools.memoryd(["audit", "verify", "--db", db])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        }
    }
}
