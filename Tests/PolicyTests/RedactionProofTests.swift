import Foundation
import MemoryStore
import Testing
import TestSupport

/// A corpus of secrets planted through every way into the store — OTLP traces and logs, event
/// envelopes over `POST /v1/events` and `memoryd ingest` (accepted and rejected lines), facts
/// through `memory_upsert` — never reaches a row: not the daemon's WAL or file bytes after a
/// `kill -9` (rows are uncompressed there), and no table's text, checked with SQL, after the
/// command-line ingest. Words that only name secrets (`guard_id = secret-egress`) stay readable.
@Suite("redaction proof: every ingest path")
struct RedactionProofTests {
    /// Each secret, and the value detector or key rule that must catch it.
    static let secrets: [String] = [
        "pw-Zq81kLx0proof",                                   // under a `password` key
        "AKIAQ7PROOFTEST0X9Z1",                               // AWS access key id
        "ghp_PrOoF0123456789abcdefghijklmnopqrs",             // GitHub token
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcm9vZiJ9.c2lnbmF0dXJlcHJvb2Y",  // JWT
        "sk-proofAbCdEfGhIjKlMnOpQrStUvWxYz0123456789",       // OpenAI/Anthropic-style key
        "4242424242424242",                                   // Luhn-valid card
        "536-22-8147",                                        // US SSN
        "pylf_v1_us_proofTOKEN0123456789abcdefghij",          // Logfire token
    ]
    /// Plain values sent beside the secrets: they must be stored (so the scan can see text).
    static let markers = ["marker-otlp-span", "marker-otlp-log", "marker-http-event", "marker-fact", "marker-cli-event"]

    static func hex(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n, radix: 16).count)) + String(n, radix: 16) }

    static var otlpTraces: String {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        return """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"proof"}}]},
             "scopeSpans":[{"scope":{"name":"proof"},"spans":[{
               "traceId":"\(hex(0xabc, 32))","spanId":"\(hex(0xdef, 16))","name":"login with \(secrets[2])",
               "kind":1,"startTimeUnixNano":"\(now)","endTimeUnixNano":"\(now + 1000)",
               "status":{"code":2,"message":"auth failed for \(secrets[3])"},
               "attributes":[
                 {"key":"password","value":{"stringValue":"\(secrets[0])"}},
                 {"key":"note","value":{"stringValue":"\(markers[0]) key \(secrets[1]) card \(secrets[5])"}},
                 {"key":"plan","value":{"stringValue":"{\\"db\\": {\\"password\\": \\"\(secrets[0])\\"}, \\"ssn\\": \\"x\\"}"}},
                 {"key":"guard_id","value":{"stringValue":"secret-egress"}},
                 {"key":"logfire.msg_template","value":{"stringValue":"login using password {password}"}},
                 {"key":"logfire.msg","value":{"stringValue":"login using password \(secrets[0])"}}],
               "events":[{"name":"exception","timeUnixNano":"\(now)","attributes":[
                 {"key":"exception.message","value":{"stringValue":"token \(secrets[7]) rejected"}}]}]
             }]}]}]}
            """
    }

    static var otlpLogs: String {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        return """
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"proof"}}]},
             "scopeLogs":[{"logRecords":[{"timeUnixNano":"\(now)","severityNumber":9,
               "body":{"stringValue":"\(markers[1]) using \(secrets[4]) for \(secrets[6])"},
               "attributes":[{"key":"api_key","value":{"stringValue":"\(secrets[4])"}},
                             {"key":"headers","value":{"kvlistValue":{"values":[{"key":"Authorization","value":{"stringValue":"Bearer \(secrets[3])"}}]}}}]
             }]}]}]}
            """
    }

    static func envelope(_ id: String, marker: String) -> String {
        """
        {"specversion": "watcher.envelope.v1", "id": "\(id)", "source": "watcher://proof", "topic": "proof.secrets", "type": "proof.v1", "time": "2026-02-15T09:01:01Z", "data": {"note": "\(marker) \(secrets[1])", "password": "\(secrets[0])", "nested": {"token": "\(secrets[2])", "text": "card \(secrets[5]) ssn \(secrets[6])"}, "guard_id": "secret-egress"}}
        """
    }

    /// A line refused by the contracts (no `data`): its excerpt goes to `ingest_rejects`.
    static var rejectedLine: String {
        #"{"specversion": "watcher.envelope.v1", "id": "bad", "source": "watcher://proof", "topic": "x", "type": "x", "time": "2026-02-15T09:01:01Z", "password": ""# + secrets[0] + #"", "note": ""# + secrets[4] + #""}"#
    }

    static func rawBytes(_ db: String) -> Data {
        var raw = Data()
        for suffix in ["", ".wal"] {
            if let bytes = FileManager.default.contents(atPath: db + suffix) { raw.append(bytes) }
        }
        return raw
    }

    @Test func plantedSecretsReachNoRowOnAnyPath() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            let json = [("Content-Type", "application/json")]
            #expect(try await HTTP.request(port: server.otlpPort, .post, "/v1/traces", headers: json, body: Self.otlpTraces).status == 200)
            #expect(try await HTTP.request(port: server.otlpPort, .post, "/v1/logs", headers: json, body: Self.otlpLogs).status == 200)
            let events = [Self.envelope("http-1", marker: Self.markers[2]), Self.rejectedLine].joined(separator: "\n") + "\n"
            let posted = try await HTTP.request(port: server.apiPort, .post, "/v1/events",
                                                headers: [("Content-Type", "application/x-ndjson")], body: events)
            #expect(posted.status == 200 && posted.text.contains("\"rejected\":1"), "\(posted)")
            let fact = """
                {"namespace": "proof", "key": "creds", "value": {"note": "\(Self.markers[3]) \(Self.secrets[1])",
                 "password": "\(Self.secrets[0])", "list": ["\(Self.secrets[3])", "card \(Self.secrets[5])"]}}
                """
            #expect(try await HTTP.request(port: server.apiPort, .post, "/v1/memories", body: fact).status == 200)
            _ = await server.stop(signal: SIGKILL)

            // Bytes: everything the daemon acknowledged is in the WAL, uncompressed.
            let raw = Self.rawBytes(db)
            for marker in Self.markers.prefix(4) {
                #expect(raw.range(of: Data(marker.utf8)) != nil, "\(marker) must be visible to the scan")
            }
            for secret in Self.secrets {
                #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is in the file or WAL")
            }

            // The command-line ingest (accepted and rejected lines), then SQL over every table.
            let file = directory.appendingPathComponent("proof.jsonl")
            try ([Self.envelope("cli-1", marker: Self.markers[4]), Self.rejectedLine].joined(separator: "\n") + "\n")
                .write(to: file, atomically: true, encoding: .utf8)
            let ingest = try await Tools.memoryd(["ingest", "--db", db, file.path], directory: directory)
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let tables = try await Tools.stockQuery(db, """
                select table_name from duckdb_tables() where schema_name = 'main' and not internal order by 1
                """)
            #expect(tables.contains("events") && tables.contains("memory_history"))
            let everything = tables.map { "select '\($0)' as t, \"\($0)\"::varchar as row from \"\($0)\"" }
                .joined(separator: " union all ")
            for marker in Self.markers {
                let hits = try await Tools.stockQuery(db, "select count(*) from (\(everything)) where row like '%\(marker)%'")
                #expect(hits != ["0"], "\(marker) must be stored")
            }
            for secret in Self.secrets {
                let hits = try await Tools.stockQuery(db, "select distinct t from (\(everything)) where row like '%\(secret)%'")
                #expect(hits.isEmpty, "\(secret) is stored in \(hits)")
            }

            // What was replaced is recorded by table and rule, and words are not secrets.
            let rules = Set(try await Tools.stockQuery(db, "select distinct rule from redactions"))
            #expect(rules.isSuperset(of: ["password", "aws_access_key", "github_token", "jwt", "credit_card", "ssn"]), "\(rules)")
            let recorded = Set(try await Tools.stockQuery(db, "select distinct table_name from redactions"))
            #expect(recorded.isSuperset(of: ["spans", "logs", "events", "memories"]), "\(recorded)")
            let excerpts = try await Tools.stockQuery(db, "select excerpt from ingest_rejects")
            #expect(excerpts.count == 2 && excerpts.allSatisfy { $0.contains("[REDACTED:password]") }, "\(excerpts)")
            let guards = try await Tools.stockQuery(db, """
                select count(*) from events where data->>'guard_id' = 'secret-egress'
                """)
            #expect(guards == ["2"], "guard_id values stay readable: \(guards)")
            let attributes = try await Tools.stockQuery(db, "select attributes->>'guard_id' from spans")
            #expect(attributes == ["secret-egress"])
        }
    }
}
