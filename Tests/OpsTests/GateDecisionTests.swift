import Contracts
import Foundation
import MemoryOps
import MemoryService
import MemoryStore
import Testing

/// The ops gate's decision table, case by case, on envelopes ingested through the real
/// ingestor. Every answer is checked against the pinned `opctrl/gate_decision.v1` schema.
@Suite struct GateDecisionTests {
    static let schemaID = "opctrl/gate_decision.v1"

    /// Asserts the decision and the reasons as (effect-bearing code, source, ref, runbook).
    private func expectGate(_ fixture: OpsFixture, _ run: String, _ decision: String,
                            _ reasons: [(String, String, String?, String?)],
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await fixture.gate(run)
        try Schemas.expectValid(answer, Self.schemaID, sourceLocation: sourceLocation)
        #expect(answer["run_id"]?.stringValue == run, sourceLocation: sourceLocation)
        #expect(answer["decision"]?.stringValue == decision, "\(answer.jsonText)", sourceLocation: sourceLocation)
        let got = (answer["reasons"]?.arrayValue ?? []).map { r in
            [r["reason_code"]?.stringValue, r["source"]?.stringValue, r["ref"]?.stringValue, r["runbook"]?.stringValue]
        }
        let want = reasons.map { [$0.0, $0.1, $0.2, $0.3] as [String?] }
        #expect(got == want, "\(answer.jsonText)", sourceLocation: sourceLocation)
    }

    @Test func cleanRunAllows() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        // Succeeded, guard outcomes GUARD.OK only.
        try await expectGate(f, "run-269e0d37-1", "allow", [])
    }

    @Test func denyCodeGuardOutcomeDenies() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        try await expectGate(f, "run-3e7d1bfb-5", "deny",
                             [("GUARD.PII.LEAK", "guard_outcome", "planner-7-26", "runbooks/pii-leak.md")])
    }

    @Test func failedRunDenies() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingest([
            Envelope.transition(run: "run-failed", seq: 0, from: "queued", to: "planning", code: "STATE.PLAN.READY", at: "2026-02-15T10:00:00Z"),
            Envelope.transition(run: "run-failed", seq: 1, from: "planning", to: "executing", code: "STATE.PLAN.READY", at: "2026-02-15T10:00:01Z"),
            Envelope.transition(run: "run-failed", seq: 2, from: "executing", to: "failed", code: "STATE.FAILED.ERROR", at: "2026-02-15T10:00:02Z"),
        ])
        let ref = try f.rows("SELECT event_id FROM state_transitions WHERE run_id = 'run-failed' AND to_state = 'failed'")[0][0].string
        try await expectGate(f, "run-failed", "deny", [("STATE.FAILED.ERROR", "state", ref, "runbooks/run-failed.md")])
    }

    @Test func cancelledRunDeniesWithoutRunbook() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingest([
            Envelope.transition(run: "run-cancelled", seq: 0, from: "queued", to: "cancelled", code: "STATE.CANCELLED.OPERATOR",
                                at: "2026-02-15T10:00:00Z"),
        ])
        let ref = try f.rows("SELECT event_id FROM state_transitions WHERE run_id = 'run-cancelled'")[0][0].string
        try await expectGate(f, "run-cancelled", "deny", [("STATE.CANCELLED.OPERATOR", "state", ref, nil)])
    }

    @Test func holdCodesHold() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingest([
            Envelope.transition(run: "run-held", seq: 0, from: "queued", to: "planning", code: "STATE.PLAN.READY", at: "2026-02-15T10:00:00Z"),
            Envelope.guardOutcome(run: "run-held", decision: "deny", code: "GUARD.BUDGET.EXCEEDED", at: "2026-02-15T10:00:01Z",
                                  id: "budget-1"),
            Envelope.transition(run: "run-held", seq: 1, from: "planning", to: "blocked", code: "STATE.BLOCKED.GUARD", at: "2026-02-15T10:00:02Z"),
        ])
        let ref = try f.rows("SELECT event_id FROM state_transitions WHERE run_id = 'run-held' AND to_state = 'blocked'")[0][0].string
        try await expectGate(f, "run-held", "hold", [
            ("GUARD.BUDGET.EXCEEDED", "guard_outcome", "budget-1", "runbooks/budget.md"),
            ("STATE.BLOCKED.GUARD", "state", ref, "runbooks/blocked-by-guard.md"),
        ])
    }

    @Test func allowCodesDoNotHold() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingest([
            Envelope.guardOutcome(run: "run-warned", decision: "warn", code: "GUARD.POLICY.WARN", at: "2026-02-15T10:00:01Z"),
            Envelope.transition(run: "run-warned", seq: 0, from: "queued", to: "planning", code: "STATE.PLAN.READY", at: "2026-02-15T10:00:02Z"),
        ])
        try await expectGate(f, "run-warned", "allow", [])
    }

    @Test func strictestWinsAndDenyReasonsComeFirst() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingest([
            Envelope.guardOutcome(run: "run-mixed", decision: "deny", code: "GUARD.RATE.LIMITED", at: "2026-02-15T10:00:00Z", id: "rate-1"),
            Envelope.guardOutcome(run: "run-mixed", decision: "deny", code: "GUARD.SECRET.EXPOSURE", at: "2026-02-15T10:00:01Z",
                                  id: "secret-1"),
        ])
        try await expectGate(f, "run-mixed", "deny", [
            ("GUARD.SECRET.EXPOSURE", "guard_outcome", "secret-1", "runbooks/secret-exposure.md"),
            ("GUARD.RATE.LIMITED", "guard_outcome", "rate-1", "runbooks/rate-limit.md"),
        ])
    }

    @Test func firingAlertCoveringTheRunHolds() async throws {
        let f = try OpsFixture(now: date("2026-02-15T09:06:00Z"))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        // A per-run alert about run-3e7d1bfb-5 and an alert about no run in particular.
        let perRun = try rule("pii-per-run", .guardDeny, window: 600, groupBy: .run, codes: ["GUARD.PII.LEAK"])
        let global = try rule("denies-anywhere", .guardDeny, window: 600)
        let pass = try await f.engine([perRun, global]).evaluate()
        #expect(pass.fired.count == 2)
        let alerts = try f.alerts()
        let runAlert = try #require(alerts.first { $0.rule == "pii-per-run" })
        let globalAlert = try #require(alerts.first { $0.rule == "denies-anywhere" })
        // A clean run: only the global alert covers it.
        try await expectGate(f, "run-269e0d37-1", "hold",
                             [("GUARD.PII.LEAK", "alert", globalAlert.alertID, "runbooks/pii-leak.md")])
        // The denied run: its own deny first, then both alerts (by firing time, then rule name).
        let answer = try await f.gate("run-3e7d1bfb-5")
        try Schemas.expectValid(answer, Self.schemaID)
        #expect(answer["decision"] == "deny")
        let refs = answer["reasons"]?.arrayValue?.compactMap { $0["ref"]?.stringValue } ?? []
        #expect(refs == ["planner-7-26", globalAlert.alertID, runAlert.alertID])
        // Once resolved, the alerts no longer hold anyone.
        f.clock.current = date("2026-02-15T10:00:00Z")
        try await f.engine([perRun, global]).evaluate()
        try await expectGate(f, "run-269e0d37-1", "allow", [])
    }

    /// A firing rule that names no reason code holds with memoryd's own registered code, whose
    /// runbook exists, never with a code no registry knows.
    @Test func alertWithoutAReasonCodeHoldsWithMemorydsOwnCode() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        let engine = try f.engine([try rule("many-runs", .sql, threshold: 1, query: "SELECT count(*) FROM runs")])
        #expect(try await engine.evaluate().fired.count == 1)
        let alert = try #require(try f.alerts().first)
        #expect(alert.reasonCode == nil)
        try await expectGate(f, "run-269e0d37-1", "hold", [("OPS.ALERT.FIRING", "alert", alert.alertID, "runbooks/alert-firing.md")])
        let code = try #require(try ContractRegistry.pinned().answerCode("OPS.ALERT.FIRING"))
        #expect(code.gate == .hold && code.runbook?.id == "RB-402")
    }

    @Test func ingestLagOverThresholdHolds() async throws {
        let f = try OpsFixture(gateMaxIngestLag: .seconds(30))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        f.ingestQueueAge.current = 29
        try await expectGate(f, "run-269e0d37-1", "allow", [])
        f.ingestQueueAge.current = 31
        try await expectGate(f, "run-269e0d37-1", "hold", [("OPS.INGEST.LAG", "alert", "ingest_queue", "runbooks/ingest-lag.md")])
    }

    @Test func brokenAuditChainDenies() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        f.audit.current = AuditStatus(intact: false, ref: "audit_log:42", detail: "content does not match its hash")
        try await expectGate(f, "run-269e0d37-1", "deny", [("OPS.AUDIT.BROKEN", "audit", "audit_log:42", "runbooks/audit-broken.md")])
        // A verifier that cannot answer fails closed.
        f.audit.current = nil
        try await expectGate(f, "run-269e0d37-1", "deny", [("OPS.AUDIT.BROKEN", "audit", "audit_log", "runbooks/audit-broken.md")])
    }

    @Test func runKnownOnlyFromFactsOrSpansIsDecided() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        _ = try await f.service.call("memory_upsert", arguments: ["namespace": "n", "key": "k", "value": 1, "run_id": "run-fact-only"],
                                     caller: Caller(surface: .cli))
        try await expectGate(f, "run-fact-only", "allow", [])
        // Spans not yet derived into `runs` count too.
        try await f.ingestTraces("01-logfire-otlp-traces.pb")
        try f.store.connect().execute("DELETE FROM runs")
        try await expectGate(f, "run-66ddfe37ea40", "allow", [])
    }

    @Test func tamperedAuditLogDenies() async throws {
        let f = try OpsFixture(auditLog: true)
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        // Each gate call is itself appended to the audit log before it is answered.
        try await expectGate(f, "run-269e0d37-1", "allow", [])
        try await expectGate(f, "run-269e0d37-1", "allow", [])
        try f.store.connect().execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
        try await expectGate(f, "run-269e0d37-1", "deny", [("OPS.AUDIT.BROKEN", "audit", "audit_log:1", "runbooks/audit-broken.md")])
        // The audit_broken rule asks the same verifier.
        let pass = try await f.engine([try rule("audit", .auditBroken, severity: .critical)]).evaluate()
        #expect(pass.fired.count == 1)
        #expect(try f.alerts().first?.summary.contains("seq 1") == true)
    }

    @Test func oneAuditWalkAnswersForItsInterval() async throws {
        let f = try OpsFixture(auditLog: true, auditCheckInterval: .seconds(600))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        try await expectGate(f, "run-269e0d37-1", "allow", [])
        try f.store.connect().execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
        // Within the interval the last verdict stands (the trade-off `gate.audit_check_interval`
        // sets); the chain itself is broken, as the next walk will find.
        try await expectGate(f, "run-269e0d37-1", "allow", [])
        #expect(try AuditLog.verify(on: f.store.connect()).intact == false)
    }

    @Test func unknownRunIsNotFoundNeverAllow() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        do {
            let answer = try await f.gate("run-does-not-exist")
            Issue.record("unknown run answered \(answer.jsonText)")
        } catch let error as MemoryServiceError {
            #expect(error.name == "not_found")
            #expect(error.httpStatus == 404)
            #expect(error.message.contains("run-does-not-exist"))
        }
        do {
            _ = try await f.service.call("ops_gate", arguments: [:], caller: Caller(surface: .cli))
            Issue.record("ops_gate without run_id answered")
        } catch {
            #expect(error.name == "invalid_arguments")
        }
    }
}
