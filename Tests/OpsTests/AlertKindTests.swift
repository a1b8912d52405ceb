import Contracts
import DuckDB
import Foundation
import MemoryIngest
import MemoryOps
import MemoryService
import MemoryStore
import Redaction
import Testing

/// Each alert kind fires and resolves on real ingested data, once each, with history in
/// `alerts`, deliveries in the outbox and payloads that follow `opctrl/alert_webhook.v1`.
@Suite struct AlertKindTests {
    /// The deliveries written for `rule`, oldest first, as (state, body).
    private func deliveries(_ f: OpsFixture, rule: String) throws -> [(String, JSONValue)] {
        try f.rows("SELECT state, body FROM alert_outbox WHERE rule = '\(rule)' ORDER BY delivery_id").map {
            ($0[0].string ?? "", try JSONValue(parsing: Data(($0[1].string ?? "").utf8)))
        }
    }

    private func expectPayloads(_ f: OpsFixture, rule: String, states: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSONValue] {
        let sent = try deliveries(f, rule: rule)
        #expect(sent.map(\.0) == states, sourceLocation: sourceLocation)
        for (_, body) in sent { try Schemas.expectValid(body, "opctrl/alert_webhook.v1", sourceLocation: sourceLocation) }
        return sent.map(\.1)
    }

    @Test func errorRateFiresPerRunAndResolves() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        // 19 spans of run-66ddfe37ea40 (service dome-planner), 2 with error status.
        try await f.ingestTraces("01-logfire-otlp-traces.pb")
        let end = try #require(f.rows("SELECT max(end_time) FROM spans")[0][0].int64)
        let rate = try rule("errors", .errorRate, threshold: 0.05, window: 300, groupBy: .run)
        let engine = try f.engine([rate])

        f.clock.current = Date(timeIntervalSince1970: Double(end) / 1e6 + 60)
        let fired = try await engine.evaluate()
        #expect(fired.fired.count == 1 && fired.errors.isEmpty)
        // Still over the threshold: no second alert.
        #expect(try await engine.evaluate().fired.isEmpty)
        let alert = try #require(try f.alerts().first)
        #expect(alert.state == "firing" && alert.runID == "run-66ddfe37ea40" && alert.subject == "run-66ddfe37ea40")
        #expect(abs((alert.value ?? 0) - 2.0 / 19) < 1e-9 && alert.reasonCode == "OPS.ERROR_RATE.HIGH")
        #expect(alert.runbook == "runbooks/error-rate.md")
        // The evidence query is real SQL that finds the two failed spans.
        let evidence = try #require(alert.evidenceQuery)
        #expect(try f.store.connect().query(evidence).rows.count == 2)

        // Ten minutes on, the window holds no spans: resolved, once.
        f.clock.current = Date(timeIntervalSince1970: Double(end) / 1e6 + 600)
        #expect(try await engine.evaluate().resolved == [alert.alertID])
        #expect(try await engine.evaluate().resolved.isEmpty)
        let resolved = try #require(try f.alerts().first)
        #expect(resolved.state == "resolved" && resolved.resolvedAt != nil)
        let bodies = try expectPayloads(f, rule: "errors", states: ["firing", "resolved"])
        #expect(bodies.allSatisfy { $0["alert_id"]?.stringValue == alert.alertID })
        #expect(bodies[1]["resolved_at"]?.stringValue != nil)
    }

    @Test func errorRateByServiceStaysQuietUnderThreshold() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestTraces("01-logfire-otlp-traces.pb")
        let end = try #require(f.rows("SELECT max(end_time) FROM spans")[0][0].int64)
        f.clock.current = Date(timeIntervalSince1970: Double(end) / 1e6 + 1)
        // 2/19 ≈ 0.105: over 0.1, under 0.2.
        let low = try rule("svc-low", .errorRate, threshold: 0.1, window: 300, groupBy: .service)
        let high = try rule("svc-high", .errorRate, threshold: 0.2, window: 300, groupBy: .service)
        let pass = try await f.engine([low, high]).evaluate()
        #expect(pass.fired.count == 1)
        #expect(try f.alerts().map(\.rule) == ["svc-low"])
        #expect(try f.alerts().first?.subject == "dome-planner")
    }

    @Test func guardDenyFiresAndResolves() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        // Two GUARD.PII.LEAK denies, at 09:05:11 and 09:10:07.
        let denies = try rule("pii", .guardDeny, window: 600, codes: ["GUARD.PII.LEAK"], severity: .critical)
        let engine = try f.engine([denies])
        f.clock.current = date("2026-02-15T09:00:00Z")
        #expect(try await engine.evaluate().fired.isEmpty)
        f.clock.current = date("2026-02-15T09:11:00Z")
        #expect(try await engine.evaluate().fired.count == 1)
        let alert = try #require(try f.alerts().first)
        #expect(alert.value == 2 && alert.reasonCode == "GUARD.PII.LEAK" && alert.runbook == "runbooks/pii-leak.md")
        #expect(alert.severity == "critical" && alert.runID == nil)
        #expect(try f.store.connect().query(try #require(alert.evidenceQuery)).rows.count == 2)
        f.clock.current = date("2026-02-15T09:30:00Z")
        #expect(try await engine.evaluate().resolved == [alert.alertID])
        let bodies = try expectPayloads(f, rule: "pii", states: ["firing", "resolved"])
        #expect(bodies[0]["reason_code"] == "GUARD.PII.LEAK" && bodies[0]["value"] == 2 && bodies[0]["threshold"] == 0)
    }

    @Test func forDurationAndCooldown() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        // Per run: run-3e7d1bfb-5's deny at 09:05:11 counts in a 30-minute window until 09:35:11.
        let slow = try rule("pii-slow", .guardDeny, window: 1800, forSeconds: 120, groupBy: .run, cooldown: 3600,
                            codes: ["GUARD.PII.LEAK"])
        let engine = try f.engine([slow])
        f.clock.current = date("2026-02-15T09:06:00Z")
        #expect(try await engine.evaluate().fired.isEmpty)   // pending
        #expect(try f.rows("SELECT pending FROM alert_rules")[0][0].int64 == 1)
        f.clock.current = date("2026-02-15T09:07:30Z")
        #expect(try await engine.evaluate().fired.isEmpty)   // 90 s < for
        f.clock.current = date("2026-02-15T09:08:00Z")
        #expect(try await engine.evaluate().fired.count == 1)
        // The first run's deny has left the window: resolved. (The second run's, at 09:10:07,
        // stays in the window only until 09:40:07: pending, never long enough to fire.)
        f.clock.current = date("2026-02-15T09:40:00Z")
        let resolvedFirst = try await engine.evaluate()
        #expect(resolvedFirst.resolved.count == 1 && resolvedFirst.fired.isEmpty)
        // A new deny for the first run inside its cooldown stays quiet.
        try await f.ingest([Envelope.guardOutcome(run: "run-3e7d1bfb-5", decision: "deny", code: "GUARD.PII.LEAK",
                                                  at: "2026-02-15T09:41:00Z")])
        f.clock.current = date("2026-02-15T09:45:00Z")
        #expect(try await engine.evaluate().fired.isEmpty)
        let quiet = try f.rows("SELECT pending_since IS NULL, quiet_until FROM alert_state WHERE subject = 'run-3e7d1bfb-5'")
        #expect(quiet.first?[0] == .bool(true) && quiet.first?[1].isNull == false)
        // After the cooldown, and after `for` again, the first run fires anew.
        try await f.ingest([Envelope.guardOutcome(run: "run-3e7d1bfb-5", decision: "deny", code: "GUARD.PII.LEAK",
                                                  at: "2026-02-15T10:40:30Z")])
        f.clock.current = date("2026-02-15T10:41:00Z")
        #expect(try await engine.evaluate().fired.isEmpty)
        f.clock.current = date("2026-02-15T10:43:00Z")
        #expect(try await engine.evaluate().fired.count == 1)
        #expect(try f.alerts().filter { $0.subject == "run-3e7d1bfb-5" }.count == 2)
    }

    @Test func ingestLagFiresPerSourceAndResolvesWhenItCommits() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        let path = try await f.ingestFixture("clean.jsonl")
        let source = try #require(f.rows("SELECT source FROM ingest_checkpoints")[0][0].string)
        let lag = try rule("lag", .ingestLag, threshold: 60, groupBy: .source)
        let engine = try f.engine([lag])
        f.clock.current = Date().addingTimeInterval(5)
        #expect(try await engine.evaluate().fired.isEmpty)
        f.clock.current = Date().addingTimeInterval(120)
        #expect(try await engine.evaluate().fired.count == 1)
        let alert = try #require(try f.alerts().first)
        #expect(alert.subject == source && alert.reasonCode == "OPS.INGEST.LAG" && alert.runbook == "runbooks/ingest-lag.md")
        #expect((alert.value ?? 0) >= 119)
        // The source commits again (new lines in its file): its lag drops.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((Envelope.guardOutcome(run: "run-269e0d37-1", decision: "allow", code: "GUARD.OK",
                                                                 at: "2026-02-15T09:20:00Z") + "\n").utf8))
        try handle.close()
        try await f.ingestFixtureFile(path)
        f.clock.current = Date().addingTimeInterval(1)
        #expect(try await engine.evaluate().resolved == [alert.alertID])
    }

    @Test func auditBrokenFiresAndResolves() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        let audit = try rule("audit", .auditBroken, severity: .critical)
        let engine = try f.engine([audit])
        #expect(try await engine.evaluate().fired.isEmpty)
        f.audit.current = AuditStatus(intact: false, ref: "audit_log:7", detail: "prev_hash does not match")
        #expect(try await engine.evaluate().fired.count == 1)
        let alert = try #require(try f.alerts().first)
        #expect(alert.reasonCode == "OPS.AUDIT.BROKEN" && alert.runbook == "runbooks/audit-broken.md")
        #expect(alert.summary.contains("audit_log:7"))
        f.audit.current = AuditStatus(intact: true, detail: "intact")
        #expect(try await engine.evaluate().resolved == [alert.alertID])
        // No verifier: the rule reports an error and keeps its state (does not resolve or fire).
        f.audit.current = nil
        let pass = try await engine.evaluate()
        #expect(pass.errors["audit"] != nil)
        #expect(try f.rows("SELECT error FROM alert_rules WHERE rule = 'audit'")[0][0].string?.isEmpty == false)
    }

    @Test func sqlRuleRunsThroughTheMemoryAPI() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        let facts = try rule("facts", .sql, threshold: 1,
                             query: "SELECT count(*) FROM memories WHERE namespace = 'ops-tests'", severity: .medium)
        let engine = try f.engine([facts])
        #expect(try await engine.evaluate().fired.isEmpty)
        for key in ["a", "b"] {
            _ = try await f.service.call("memory_upsert", arguments: ["namespace": "ops-tests", "key": .string(key), "value": 1],
                                         caller: Caller(surface: .cli))
        }
        #expect(try await engine.evaluate().fired.count == 1)
        let alert = try #require(try f.alerts().first)
        #expect(alert.value == 2 && alert.evidenceQuery == "SELECT count(*) FROM memories WHERE namespace = 'ops-tests'")
        _ = try await f.service.call("memory_forget", arguments: ["namespace": "ops-tests"], caller: Caller(surface: .cli))
        #expect(try await engine.evaluate().resolved == [alert.alertID])
    }

    /// The daemon's own evaluations are not memory API calls: an audited store gains no audit
    /// rows from them (one a rule every 15 s would grow the chain forever), while a real
    /// `memory_query` call with the same SQL still is audited.
    @Test func sqlRuleEvaluationsAreNotAudited() async throws {
        let f = try OpsFixture(auditLog: true)
        defer { f.remove() }
        let query = "SELECT count(*) FROM memories"
        let engine = try f.engine([try rule("facts", .sql, threshold: 1, query: query)])
        func audited() async throws -> Int64 {
            return try f.rows("SELECT count(*) FROM audit_log")[0][0].int64 ?? -1
        }
        let before = try await audited()
        for _ in 0..<3 {
            let pass = try await engine.evaluate()
            #expect(pass.errors.isEmpty, "\(pass.errors)")
        }
        #expect(try await audited() == before)
        _ = try await f.service.call("memory_query", arguments: ["sql": .string(query)], caller: Caller(surface: .cli))
        #expect(try await audited() == before + 1)
    }

    @Test func sqlRuleRefusalsAreRuleErrors() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        let write = try rule("writes", .sql, threshold: 0, query: "DELETE FROM memories")
        let rows = try rule("rows", .sql, threshold: 0, query: "SELECT 1 UNION ALL SELECT 2")
        let text = try rule("text", .sql, threshold: 0, query: "SELECT 'many'")
        let pass = try await f.engine([write, rows, text]).evaluate()
        #expect(Set(pass.errors.keys) == ["writes", "rows", "text"])
        #expect(pass.fired.isEmpty)
        #expect(try f.rows("SELECT count(*) FROM memories")[0][0].int64 == 0)
        #expect(try f.rows("SELECT count(*) FROM alert_rules WHERE error IS NOT NULL")[0][0].int64 == 3)
    }

    @Test func stateSurvivesANewEngineAndRemovedRulesResolve() async throws {
        let f = try OpsFixture(now: date("2026-02-15T09:11:00Z"))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        let denies = try rule("pii", .guardDeny, window: 600, codes: ["GUARD.PII.LEAK"])
        #expect(try await f.engine([denies]).evaluate().fired.count == 1)
        // A restarted engine (new lane, same store) sees the alert firing: no second alert.
        #expect(try await f.engine([denies]).evaluate().fired.isEmpty)
        #expect(try f.alerts().count == 1)
        // Health and the rule status show it.
        let health = try await f.service.call("memory_health", arguments: [:], caller: Caller(surface: .cli))
        #expect(health["alerts"]?["firing"] == 1)
        #expect(health["alerts"]?["rules"]?.arrayValue?.first?["state"] == "firing")
        // Taken out of the configuration: resolved without a delivery.
        let other = try rule("other", .guardDeny, window: 600, codes: ["GUARD.TOOL.NOT_ALLOWED"])
        #expect(try await f.engine([other]).evaluate().resolved.count == 1)
        #expect(try f.alerts().first?.state == "resolved")
        #expect(try f.rows("SELECT count(*) FROM alert_outbox WHERE rule = 'pii' AND state = 'resolved'")[0][0].int64 == 0)
    }
}

extension OpsFixture {
    /// Ingests whatever is new in `path` (a file already ingested once) and derives.
    func ingestFixtureFile(_ path: String) async throws {
        _ = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(), redactor: Redactor()).ingestFile(at: path)
        try await service.refreshDerivedTables()
    }
}
