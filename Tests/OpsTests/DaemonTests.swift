import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MemoryIngest
import MemoryStore
import Redaction
import Testing
import TestSupport

/// The real `memoryd serve` with alert rules in memoryd.toml: alerts fire while the webhook
/// receiver is down, the daemon is killed (-9) with every delivery still pending, and after a
/// restart the receiver, failing then slow then healthy, gets every alert in order per rule.
/// Also the REST gate, A2A errors, /metrics and `memoryd alerts list|test` on the same daemon.
@Suite(.serialized) struct DaemonTests {
    static let secret = "daemon-test-secret"

    /// JSON from the daemon's API.
    struct API {
        let port: Int

        func request(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws -> (Int, JSONValue) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.timeoutInterval = 30
            if let body {
                request.httpBody = Data(body.jsonText.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return (status, data.isEmpty ? .null : (try? JSONValue(parsing: data)) ?? .string(String(decoding: data, as: UTF8.self)))
        }

        func text(_ path: String) async throws -> String {
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            return String(decoding: data, as: UTF8.self)
        }

        /// One row of one read-only query through the memory API.
        func rows(_ sql: String) async throws -> [[JSONValue]] {
            let (status, answer) = try await request("POST", "/v1/query", ["sql": .string(sql), "max_rows": 1000])
            guard status == 200 else { throw TestError("query \(sql): \(status) \(answer.jsonText)") }
            return answer["rows"]?.arrayValue?.compactMap(\.arrayValue) ?? []
        }

        func number(_ sql: String) async throws -> Int64 { try await rows(sql).first?.first?.int64Value ?? -1 }

        func wait(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while try await !condition() {
                guard ContinuousClock.now < deadline else { throw TestError("timed out waiting for \(what)") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    static func config(hook: String) -> String {
        """
        # The fixture's envelopes are from February 2026: keep them whatever their age.
        [retention]
        events = "forever"

        [alerts]
        interval = "200ms"
        backoff_initial = "100ms"
        backoff_max = "300ms"
        # Long enough for any answer on a loaded machine, shorter than the receiver's slow one.
        delivery_timeout = "5s"
        max_attempts = 1000

        [[alerts.rules]]
        name = "pii"
        kind = "guard_deny"
        window = "3650d"
        reason_codes = ["GUARD.PII.LEAK"]
        group_by = "run"
        webhooks = ["\(hook)"]
        secret = "\(secret)"

        [[alerts.rules]]
        name = "facts"
        kind = "sql"
        query = "SELECT count(*) FROM memories WHERE namespace = 'ops-daemon'"
        threshold = 0
        severity = "medium"
        webhooks = ["\(hook)"]
        secret = "\(secret)"
        """
    }

    /// Runs the memoryd binary to completion: exit status, stdout, stderr.
    static func memoryd(_ arguments: [String], in directory: URL) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = TestServer.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = TestServer.childEnvironment()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let exit = OneShot<Int32>()
        process.terminationHandler = { exit.fulfill($0.terminationStatus) }
        try process.run()
        let status = await exit.value
        return (status, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test func everyAlertArrivesInOrderAcrossAKilledDaemon() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ops-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("memory.duckdb").path
        // The envelope fixture, ingested as `memoryd ingest` would, before the daemon starts.
        let envelopes = directory.appendingPathComponent("clean.jsonl")
        try Data(contentsOf: Paths.envelopes.appendingPathComponent("clean.jsonl")).write(to: envelopes)
        let (ingested, _, ingestErrors) = try await Self.memoryd(["ingest", "--db", database, envelopes.path], in: directory)
        #expect(ingested == 0, "\(ingestErrors)")

        let receiver = try WebhookReceiver(failures: 2, slow: 1, slowFor: .seconds(12))
        try Self.config(hook: receiver.url).write(to: directory.appendingPathComponent("memoryd.toml"), atomically: true, encoding: .utf8)

        // 1. Receiver down: alerts fire, their deliveries wait in the outbox.
        var daemon = try await TestServer.start(databasePath: database)
        var api = API(port: daemon.apiPort)
        try await api.wait("the two pii alerts") { try await api.number("SELECT count(*) FROM alerts WHERE rule = 'pii'") == 2 }
        let (upserted, _) = try await api.request("POST", "/v1/memories", ["namespace": "ops-daemon", "key": "k", "value": 1])
        #expect(upserted == 200)
        try await api.wait("the facts alert") { try await api.number("SELECT count(*) FROM alerts WHERE rule = 'facts'") == 1 }
        let (forgotten, _) = try await api.request("DELETE", "/v1/memories?namespace=ops-daemon")
        #expect(forgotten == 200)
        try await api.wait("the facts alert to resolve") {
            try await api.number("SELECT count(*) FROM alerts WHERE rule = 'facts' AND state = 'resolved'") == 1
        }
        try await api.wait("a failed attempt") { try await api.number("SELECT max(attempts) FROM alert_outbox") >= 1 }
        #expect(try await api.number("SELECT count(*) FROM alert_outbox WHERE status = 'pending'") == 4)

        // Current state in /metrics and memory_health.
        let metrics = try await api.text("/metrics")
        #expect(metrics.contains(#"memoryd_alerts_firing{rule="pii",kind="guard_deny",severity="critical"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"memoryd_alert_deliveries{status="pending"} 4"#))
        let (_, health) = try await api.request("GET", "/v1/health")
        #expect(health["alerts"]?["firing"] == 2)

        // The gate over REST: a denied run names its guard outcome and the alert about it.
        let (gateStatus, gate) = try await api.request("GET", "/v1/gate?run_id=run-3e7d1bfb-5")
        #expect(gateStatus == 200 && gate["decision"] == "deny")
        try Schemas.expectValid(gate, "opctrl/gate_decision.v1")
        #expect(gate["reasons"]?.arrayValue?.map { $0["source"]?.stringValue ?? "" } == ["guard_outcome", "alert"])
        let (missingStatus, missing) = try await api.request("GET", "/v1/gate?run_id=run-nobody")
        #expect(missingStatus == 404 && missing["error"]?["code"] == "not_found")
        let (noRunStatus, _) = try await api.request("GET", "/v1/gate")
        #expect(noRunStatus == 400)
        // A2A: an unknown run fails the task with the same error.
        let (a2aStatus, a2a) = try await api.request("POST", "/a2a", [
            "jsonrpc": "2.0", "id": 1, "method": "SendMessage",
            "params": ["message": ["messageId": "m1", "role": "ROLE_USER",
                                   "parts": [["data": ["tool": "ops_gate", "arguments": ["run_id": "run-nobody"]]]]]],
        ])
        #expect(a2aStatus == 200)
        #expect(a2a["result"]?["task"]?["status"]?["state"] == "TASK_STATE_FAILED", "\(a2a.jsonText)")
        #expect(a2a.jsonText.contains("not_found"))

        // 2. kill -9 with everything still pending; the receiver comes up failing, then slow.
        #expect(await daemon.stop(signal: SIGKILL).bySignal)
        try await receiver.start()
        defer { Task { await receiver.stop() } }

        // 3. Restart: every alert arrives.
        daemon = try await TestServer.start(databasePath: database)
        api = API(port: daemon.apiPort)
        try await receiver.wait(timeout: .seconds(60), for: "four distinct deliveries") { _ in receiver.firstArrivals.count == 4 }
        try await api.wait("the outbox to drain") {
            try await api.number("SELECT count(*) FROM alert_outbox WHERE status = 'delivered'") == 4
        }
        #expect(try await api.number("SELECT count(*) FROM alerts") == 3, "a restart fires nothing again")
        let outbox = try await api.rows("SELECT rule, alert_id, state FROM alert_outbox ORDER BY delivery_id")
        for rule in ["pii", "facts"] {
            let expected = outbox.filter { $0[0].stringValue == rule }.map { "\($0[1].stringValue ?? "")|\($0[2].stringValue ?? "")" }
            let arrived = receiver.firstArrivals.filter { $0.rule == rule }.map { "\($0.alertID)|\($0.state)" }
            #expect(arrived == expected, "rule \(rule) out of order")
        }
        #expect(receiver.firstArrivals.filter { $0.rule == "facts" }.map(\.state) == ["firing", "resolved"])
        #expect(receiver.requests.count >= 4 + 3, "the 500s and the slow answer were retried")
        for request in receiver.requests {
            #expect(request.signature == WebhookReceiver.signature(request.rawBody, secret: Self.secret))
            try Schemas.expectValid(request.body, "opctrl/alert_webhook.v1")
        }

        // `memoryd alerts test` delivers a signed test alert; `alerts list` asks the running daemon.
        let (tested, testOut, testErr) = try await Self.memoryd(["alerts", "test", "facts"], in: directory)
        #expect(tested == 0 && testOut.contains("\(receiver.url): HTTP 200"), "\(testOut) \(testErr)")
        let test = try #require(receiver.requests.last)
        #expect(test.alertID.hasPrefix("test-facts-") && test.signature == WebhookReceiver.signature(test.rawBody, secret: Self.secret))
        let (unknown, _, unknownErr) = try await Self.memoryd(["alerts", "test", "nope"], in: directory)
        #expect(unknown == 2 && unknownErr.contains("no alert rule nope") && unknownErr.contains("pii, facts"))
        let (listed, listOut, listErr) = try await Self.memoryd(["alerts", "list", "--api", "http://127.0.0.1:\(daemon.apiPort)"], in: directory)
        #expect(listed == 0, "\(listErr)")
        #expect(listOut.contains("pii\tguard_deny\tcritical\tfiring\t1\t0\t"), "\(listOut)")
        #expect(listOut.contains("facts\tsql\tmedium\tok\t0\t0\t"), "\(listOut)")
        #expect(listOut.contains("outbox: 0 pending, 4 delivered, 0 dead"), "\(listOut)")

        // Stopped: `alerts list` reads the file.
        #expect(await daemon.stop().status == 0)
        let (offline, offlineOut, offlineErr) = try await Self.memoryd(["alerts", "list", "--db", database, "--json"], in: directory)
        #expect(offline == 0, "\(offlineErr)")
        let state = try JSONValue(parsing: Data(offlineOut.utf8))
        #expect(state["firing"] == 2 && state["outbox"]?["delivered"] == 4)
    }

    @Test func anInvalidRuleStopsStartupNamingIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ops-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            [[alerts.rules]]
            name = "broken"
            kind = "error_rate"
            window = "5m"
            webhooks = ["http://127.0.0.1:9/hook"]
            """.write(to: directory.appendingPathComponent("memoryd.toml"), atomically: true, encoding: .utf8)
        let (status, _, errors) = try await Self.memoryd(["serve", "--db", directory.appendingPathComponent("m.duckdb").path,
                                                          "--otlp-port", "0", "--api-port", "0"], in: directory)
        #expect(status == 2)
        #expect(errors == "memoryd: memoryd.toml: alert rule broken: threshold is required (a fraction of spans, e.g. 0.05)\n")

        // A query that is not one read statement is found at start-up too, before anything runs.
        try """
            [[alerts.rules]]
            name = "wipe"
            kind = "sql"
            query = "DELETE FROM memories"
            threshold = 0
            severity = "low"
            webhooks = ["http://127.0.0.1:9/hook"]
            """.write(to: directory.appendingPathComponent("memoryd.toml"), atomically: true, encoding: .utf8)
        let (sqlStatus, _, sqlErrors) = try await Self.memoryd(["serve", "--db", directory.appendingPathComponent("m.duckdb").path,
                                                                "--otlp-port", "0", "--api-port", "0"], in: directory)
        #expect(sqlStatus == 2)
        #expect(sqlErrors.hasPrefix("memoryd: alert rule wipe: query cannot run:") && sqlErrors.contains("DELETE"), "\(sqlErrors)")
    }
}
