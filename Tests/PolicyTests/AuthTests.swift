import Foundation
import MemoryStore
import Testing
import TestSupport

/// Bearer tokens on the real daemon: 401/403/429 on every HTTP surface (OTLP in its own
/// encoding), the token's id as the audit actor on REST, MCP and A2A, and the refusal to
/// listen beyond loopback without tokens.
@Suite("auth and audit over HTTP")
struct AuthTests {
    static let reader = "mdt_reader-token", writer = "mdt_writer-token", limited = "mdt_limited-token", admin = "mdt_admin-token"

    static var config: String {
        """
        [[auth.tokens]]
        id = "reader"
        sha256 = "\(AuditDigest.sha256Hex(reader))"
        scopes = ["read"]

        [[auth.tokens]]
        id = "writer"
        sha256 = "\(AuditDigest.sha256Hex(writer))"
        scopes = ["ingest", "write"]

        [[auth.tokens]]
        id = "limited"
        sha256 = "\(AuditDigest.sha256Hex(limited))"
        scopes = ["admin"]
        # One token per 1000 s: no refill during a test however slow the machine, so the
        # third request is over the limit for certain.
        rate_per_second = 0.001
        burst = 2

        [[auth.tokens]]
        id = "admin"
        sha256 = "\(AuditDigest.sha256Hex(admin))"
        scopes = ["admin"]
        """
    }

    static func withServer(extra: String = "", _ body: (TestServer, String) async throws -> Void) async throws {
        try await TemporaryDirectory.with { directory in
            try (extra + config).write(to: directory.appendingPathComponent("memoryd.toml"), atomically: true, encoding: .utf8)
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            try await body(server, db)
            _ = await server.stop()
        }
    }

    static func error(_ response: HTTP.Response) -> String? {
        (response.json?["error"] as? [String: Any])?["code"] as? String
    }

    @Test func apiPortStatusesAndBodies() async throws {
        try await Self.withServer { server, _ in
            let port = server.apiPort
            #expect(try await HTTP.request(port: port, .get, "/healthz").status == 200)
            #expect(try await HTTP.request(port: port, .get, "/.well-known/agent-card.json").status == 200)

            let missing = try await HTTP.request(port: port, .get, "/v1/health")
            #expect(missing.status == 401)
            #expect(Self.error(missing) == "unauthorized", "\(missing)")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await HTTP.request(port: port, .get, "/v1/health", token: "wrong").status == 401)
            #expect(try await HTTP.request(port: port, .get, "/metrics").status == 401)

            #expect(try await HTTP.request(port: port, .get, "/v1/health", token: Self.reader).status == 200)
            #expect(try await HTTP.request(port: port, .get, "/metrics", token: Self.reader).status == 200)
            let upsert = #"{"namespace": "prefs", "key": "theme", "value": "dark"}"#
            let forbidden = try await HTTP.request(port: port, .post, "/v1/memories", token: Self.reader, body: upsert)
            #expect(forbidden.status == 403)
            #expect(Self.error(forbidden) == "forbidden", "\(forbidden)")
            #expect(try await HTTP.request(port: port, .post, "/v1/memories", token: Self.writer, body: upsert).status == 200)
            // The writer token has no read scope.
            #expect(try await HTTP.request(port: port, .get, "/v1/memories/prefs/theme", token: Self.writer).status == 403)

            let envelope = ""
            #expect(try await HTTP.request(port: port, .post, "/v1/events", token: Self.reader, body: envelope).status == 403)
            #expect(try await HTTP.request(port: port, .post, "/v1/events", token: Self.writer, body: envelope).status == 200)
        }
    }

    @Test func otlpAnswersInItsOwnEncoding() async throws {
        try await Self.withServer { server, _ in
            let port = server.otlpPort
            let json = [("Content-Type", "application/json")]
            let missing = try await HTTP.request(port: port, .post, "/v1/traces", headers: json, body: "{}")
            #expect(missing.status == 401)
            #expect(missing.headers[.contentType] == "application/json")
            #expect(missing.json?["code"] as? Int == 16, "\(missing)")   // UNAUTHENTICATED

            let forbidden = try await HTTP.request(port: port, .post, "/v1/traces", token: Self.reader,
                                                   headers: [("Content-Type", "application/x-protobuf")], bytes: [])
            #expect(forbidden.status == 403)
            #expect(forbidden.headers[.contentType] == "application/x-protobuf")
            // google.rpc.Status { code: 7 }: field 1, varint 7.
            #expect(Array(forbidden.body.prefix(2)) == [0x08, 0x07], "\(forbidden.body)")

            #expect(try await HTTP.request(port: port, .post, "/v1/traces", token: Self.writer, headers: json, body: "{}").status == 200)
        }
    }

    /// Legal holds while serving: admin only, audited, and what `retention hold` writes.
    @Test func holdsOverHTTPNeedAdmin() async throws {
        try await Self.withServer { server, db in
            let port = server.apiPort
            #expect(try await HTTP.request(port: port, .put, "/v1/holds/run-9", token: Self.reader).status == 403)
            let held = try await HTTP.request(port: port, .put, "/v1/holds/run-9", token: Self.admin, body: #"{"reason": "case 12"}"#)
            #expect(held.status == 200, "\(held)")
            let list = try await HTTP.request(port: port, .get, "/v1/holds", token: Self.admin)
            #expect(list.text.contains("\"run_id\":\"run-9\"") && list.text.contains("case 12") && list.text.contains("admin"), "\(list)")
            #expect(try await HTTP.request(port: port, .delete, "/v1/holds/run-0", token: Self.admin).status == 404)
            _ = await server.stop()
            let rows = try await Tools.stockQuery(db, "select concat_ws('|', actor, operation, target, outcome) from audit_log order by seq")
            #expect(rows == ["admin|retention hold|run:run-9|ok", "admin|retention release|run:run-0|not_found"], "\(rows)")
            let holds = try await Tools.memoryd(["retention", "holds", "--db", db])
            #expect(holds.stdout.hasPrefix("run-9"), "\(holds.stdout)")
        }
    }

    /// The router ignores empty path segments, so every spelling of a route needs the
    /// route's scope: a read token can neither hold, release nor ingest through `//`, `/v1//…`
    /// or a trailing `/`, and a write token reaches the tools however they are spelled.
    @Test func everySpellingOfAPathNeedsItsRoutesScope() async throws {
        try await Self.withServer { server, _ in
            let port = server.apiPort
            for path in ["//v1/holds/run-1", "/v1//holds/run-1", "/v1/holds/run-1/", "/v1/holds//run-1"] {
                let put = try await HTTP.request(port: port, .put, path, token: Self.reader)
                #expect(put.status == 403 && Self.error(put) == "forbidden", "PUT \(path): \(put)")
                #expect(try await HTTP.request(port: port, .delete, path, token: Self.reader).status == 403, "DELETE \(path)")
            }
            #expect(try await HTTP.request(port: port, .put, "//v1/holds/run-1", token: Self.admin).status == 200,
                    "the doubled slash reaches the hold handler")
            #expect(try await HTTP.request(port: port, .delete, "/v1//holds/run-1/", token: Self.admin).status == 200)
            for path in ["/v1/events/", "//v1/events", "/v1//events"] {
                #expect(try await HTTP.request(port: port, .post, path, token: Self.reader, body: "").status == 403, "POST \(path)")
                #expect(try await HTTP.request(port: port, .post, path, token: Self.writer, body: "").status == 200, "POST \(path)")
            }
            let upsert = #"{"namespace": "prefs", "key": "theme", "value": "dark"}"#
            for path in ["//v1/tools/memory_upsert", "/v1//tools/memory_upsert", "/v1/tools/memory_upsert/"] {
                let written = try await HTTP.request(port: port, .post, path, token: Self.writer, body: upsert)
                #expect(written.status == 200, "POST \(path): \(written)")
                #expect(try await HTTP.request(port: port, .post, path, token: Self.reader, body: upsert).status == 403, "POST \(path)")
            }
            let json = [("Content-Type", "application/json")]
            for path in ["//v1/traces", "/v1/traces/", "/v1//logs"] {
                #expect(try await HTTP.request(port: server.otlpPort, .post, path, token: Self.reader, headers: json, body: "{}").status == 403,
                        "OTLP \(path)")
                #expect(try await HTTP.request(port: server.otlpPort, .post, path, token: Self.writer, headers: json, body: "{}").status == 200,
                        "OTLP \(path)")
            }
        }
    }

    /// A hold whose body is over `server.max_body_bytes` is refused whole (413, JSON), not
    /// placed without its reason.
    @Test func oversizedHoldBodyIs413AndNothingIsHeld() async throws {
        try await Self.withServer(extra: "[server]\nmax_body_bytes = 64\n\n") { server, _ in
            let port = server.apiPort
            let reason = #"{"reason": "\#(String(repeating: "x", count: 200))"}"#
            let refused = try await HTTP.request(port: port, .put, "/v1/holds/run-7", token: Self.admin, body: reason)
            #expect(refused.status == 413 && Self.error(refused) == "too_large", "\(refused)")
            #expect(refused.headers[.contentType] == "application/json")
            let list = try await HTTP.request(port: port, .get, "/v1/holds", token: Self.admin)
            #expect(list.status == 200 && !list.text.contains("run-7"), "\(list)")
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await Self.withServer { server, _ in
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<4 {
                let response = try await HTTP.request(port: server.apiPort, .get, "/v1/health", token: Self.limited)
                statuses.append(response.status)
                if response.status == 429 {
                    retryAfter = response.headers[.retryAfter]
                    #expect(Self.error(response) == "rate_limited")
                }
            }
            // The burst of 2 passes, then the bucket is empty.
            #expect(statuses == [200, 200, 429, 429], "\(statuses)")
            // Whole seconds until the next token: at least 1, at most 1 / rate.
            #expect(retryAfter.flatMap(Int.init).map { (1...1000).contains($0) } == true, "\(retryAfter ?? "-")")
            // Other tokens have buckets of their own.
            #expect(try await HTTP.request(port: server.apiPort, .get, "/v1/health", token: Self.reader).status == 200)
        }
    }

    @Test func everySurfaceIsAuditedWithTheTokenAsActor() async throws {
        try await Self.withServer { server, db in
            let port = server.apiPort
            // REST, with a forged identity header that must be ignored.
            _ = try await HTTP.request(port: port, .get, "/v1/schema", token: Self.reader,
                                       headers: [("x-memoryd-caller", "limited;admin")])
            // A2A.
            let send = #"""
                {"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": {"messageId": "m1", "role": "ROLE_USER",
                 "parts": [{"data": {"tool": "memory_upsert", "arguments": {"namespace": "a2a", "key": "k", "value": 1}}}]}}}
                """#
            let a2a = try await HTTP.request(port: port, .post, "/a2a", token: Self.writer, headers: [("A2A-Version", "1.0")], body: send)
            #expect(a2a.status == 200 && a2a.text.contains("TASK_STATE_COMPLETED"), "\(a2a)")
            // MCP Streamable HTTP: a read tool, and a write tool the reader may not use.
            let headers = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]
            let initialize = #"""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"policy-test","version":"1"}}}
                """#
            let opened = try await HTTP.request(port: port, .post, "/mcp", token: Self.reader, headers: headers, body: initialize)
            let session = try #require(opened.headers[.init("Mcp-Session-Id")!], "\(opened)")
            let inSession = headers + [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")]
            _ = try await HTTP.request(port: port, .post, "/mcp", token: Self.reader, headers: inSession,
                                       body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            let get = try await HTTP.request(port: port, .post, "/mcp", token: Self.reader, headers: inSession, body: #"""
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"memory_health","arguments":{}}}
                """#)
            #expect(get.text.contains("\"isError\":false") || !get.text.contains("isError\":true"), "\(get)")
            let upsert = try await HTTP.request(port: port, .post, "/mcp", token: Self.reader, headers: inSession, body: #"""
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"memory_upsert","arguments":{"namespace":"m","key":"k","value":1}}}
                """#)
            #expect(upsert.text.contains("\"isError\":true") && upsert.text.contains("write scope"), "\(upsert)")
            // Unauthenticated MCP never reaches a session.
            #expect(try await HTTP.request(port: port, .post, "/mcp", headers: headers, body: initialize).status == 401)

            _ = await server.stop()
            #expect(try AuditLog.verify(store: Store(readingExisting: db)).intact)
            let rows = try await Tools.stockQuery(db, """
                select concat_ws('|', actor, surface, operation, coalesce(target, '-'), outcome) from audit_log order by seq
                """)
            #expect(rows == [
                "reader|rest|memory_schema|-|ok",
                "writer|a2a|memory_upsert|a2a/k|ok",
                "reader|mcp|memory_health|-|ok",
                "reader|mcp|memory_upsert|m/k|forbidden",
            ], "\(rows)")
        }
    }

    /// `memoryd mcp --api URL` relays with `MEMORYD_TOKEN`; the daemon audits the token's id.
    @Test func stdioRelayCarriesTheToken() async throws {
        try await Self.withServer { server, db in
            let session = [
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"relay","version":"1"}}}"#,
                #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"memory_schema","arguments":{}}}"#,
            ].joined(separator: "\n") + "\n"
            let api = "http://127.0.0.1:\(server.apiPort)"
            let relayed = try await Tools.run(TestServer.binary, ["mcp", "--api", api], input: session,
                                              environment: ["MEMORYD_TOKEN": Self.reader])
            #expect(relayed.stdout.contains("\"id\":2") && relayed.stdout.contains("structuredContent"), "\(relayed.stdout.suffix(400))")
            let refused = try await Tools.run(TestServer.binary, ["mcp", "--api", api], input: session)
            #expect(!refused.stdout.contains("structuredContent"), "without a token: \(refused.stdout.suffix(400))")
            _ = await server.stop()
            let rows = try await Tools.stockQuery(db, "select actor || '|' || surface || '|' || operation from audit_log")
            #expect(rows == ["reader|mcp|memory_schema"], "\(rows)")
        }
    }

    @Test func noTokensMeansLocalAndLoopbackOnly() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let refused = try await Tools.memoryd(["serve", "--db", db, "--bind", "0.0.0.0", "--otlp-port", "0", "--api-port", "0"],
                                                  directory: directory)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("without authentication"), "\(refused.stderr)")

            let server = try await TestServer.start(databasePath: db)
            let response = try await HTTP.request(port: server.apiPort, .get, "/v1/memories/none/none",
                                                  headers: [("x-memoryd-caller", "mallory;admin")])
            #expect(response.status == 404)
            _ = await server.stop()
            let actors = try await Tools.stockQuery(db, "select actor || '|' || surface || '|' || outcome from audit_log")
            #expect(actors == ["local|rest|not_found"])
        }
    }

    @Test func tokenCommandsHashLikeTheServer() async throws {
        let hashed = try await Tools.memoryd(["token", "hash"], input: "abc\n")
        #expect(hashed.stdout == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n")
        let made = try await Tools.memoryd(["token", "new", "--id", "ci", "--scopes", "ingest,read"])
        #expect(made.status == 0)
        let token = try #require(made.stdout.split(separator: " ").last { $0.hasPrefix("mdt_") }?.split(separator: "\n").first)
        #expect(made.stdout.contains("sha256 = \"\(AuditDigest.sha256Hex(String(token)))\""), "\(made.stdout)")
        #expect(made.stdout.contains(#"scopes = ["ingest", "read"]"#))
        let bad = try await Tools.memoryd(["token", "new", "--id", "x", "--scopes", "root"])
        #expect(bad.status == 2)
    }
}
