import Contracts
import DuckDB
import Foundation
import MemoryStore

extension MemoryService {
    /// The audit chain verifier the gate uses (also what `audit_broken` alert rules ask): the
    /// configured one, else `AuditLog.verify` on a reader when the service keeps an audit log.
    public var auditCheck: AuditCheck? {
        if let check = configuration.auditCheck { return check }
        guard audit != nil else { return nil }
        let readers = self.readers, verdicts = auditVerdicts, maxAge = configuration.auditCheckInterval
        return {
            try await verdicts.status(maxAge: maxAge) {
                let verification = try await readers.run { try AuditLog.verify(on: $0) }
                return AuditStatus(intact: verification.intact, ref: verification.firstBadSeq.map { "audit_log:\($0)" },
                                   detail: verification.description)
            }
        }
    }

    /// `ops_gate`: may this run proceed? Answers per `opctrl/gate_decision.v1`, strictest input
    /// winning: a guard outcome whose reason code the registry maps to `deny`, a failed or
    /// cancelled run, or a broken audit chain deny; a `hold` code (guard outcome or the run's
    /// current transition), a firing alert that covers the run, or an ingest queue older than
    /// `gateMaxIngestLag` hold; anything else allows. An unknown run is `not_found`, never allow.
    func gate(_ args: Arguments) async throws -> JSONValue {
        try await gateDecision(runID: try args.requiredString("run_id"), now: Date())
    }

    /// One input of the decision and the row behind it.
    struct GateReason {
        var effect: GateEffect
        var reasonCode: String
        /// `guard_outcome`, `state`, `alert` or `audit`, as the contract names them.
        var source: String
        var ref: String
        var runbook: String?

        var json: JSONValue {
            ["reason_code": .string(reasonCode), "source": .string(source), "ref": .string(ref),
             "runbook": runbook.map(JSONValue.string) ?? .null]
        }
    }

    func gateDecision(runID: String, now: Date) async throws -> JSONValue {
        let registry = try ContractRegistry.pinned().reasonCodes
        let facts = try await readers.run { connection in try GateFacts(runID: runID, on: connection) }
        guard facts.known else {
            throw MemoryServiceError.notFound("no run \(runID): no span, fact, guard outcome or state transition carries that run id")
        }
        func runbook(_ code: String) -> String? { registry[code]?.runbook?.link }

        var reasons: [GateReason] = []
        for outcome in facts.guardOutcomes {
            guard let effect = registry[outcome.reasonCode]?.gate, effect != .allow else { continue }
            reasons.append(GateReason(effect: effect, reasonCode: outcome.reasonCode, source: "guard_outcome",
                                      ref: outcome.ref, runbook: runbook(outcome.reasonCode)))
        }
        if let state = facts.currentState {
            // A failed or cancelled run stays denied whatever code took it there; otherwise the
            // code of the transition into the current state decides (e.g. STATE.BLOCKED.GUARD holds).
            let effect: GateEffect = ["failed", "cancelled"].contains(state.toState)
                ? .deny : registry[state.reasonCode]?.gate ?? .allow
            if effect != .allow {
                reasons.append(GateReason(effect: effect, reasonCode: state.reasonCode, source: "state",
                                          ref: state.ref, runbook: runbook(state.reasonCode)))
            }
        }
        // A run of a tracked packet whose prerequisites are not done waits (memoryd's own code;
        // the contract has no dependency source, and the packet's state is what is missing).
        if let dependencies = try await readers.run({ try PlanStatus.missingPrerequisites(ofRun: runID, on: $0, reasonCodes: registry) }),
           !dependencies.missing.isEmpty {
            let code = "DEPENDENCY.NOT_DONE"
            reasons.append(GateReason(effect: .hold, reasonCode: code, source: "state",
                                      ref: "packets:" + dependencies.missing.joined(separator: ","),
                                      runbook: try ContractRegistry.pinned().answerCode(code)?.runbook?.link))
        }
        for alert in facts.alerts {
            // A rule that names no code (an `sql` rule, say) answers memoryd's own code; the
            // alert id in `ref` leads to the rule and its measurement (`alerts`).
            let code = alert.reasonCode ?? "OPS.ALERT.FIRING"
            let link = try alert.runbook ?? runbook(code) ?? ContractRegistry.pinned().answerCode(code)?.runbook?.link
            reasons.append(GateReason(effect: .hold, reasonCode: code, source: "alert", ref: alert.alertID, runbook: link))
        }
        if let lag = ingestStatus()?.oldestQueuedAge, lag * 1000 > configuration.gateMaxIngestLag.fractionalMilliseconds {
            // The contract has no ingest source; lag is an ops condition like an alert's.
            reasons.append(GateReason(effect: .hold, reasonCode: "OPS.INGEST.LAG", source: "alert",
                                      ref: "ingest_queue", runbook: runbook("OPS.INGEST.LAG")))
        }
        if let auditCheck {
            let status: AuditStatus
            do {
                status = try await auditCheck()
            } catch {
                // An unverifiable chain is treated as broken: the gate fails closed.
                status = AuditStatus(intact: false, ref: "audit_log", detail: "verification failed: \(error)")
            }
            if !status.intact {
                reasons.append(GateReason(effect: .deny, reasonCode: "OPS.AUDIT.BROKEN", source: "audit",
                                          ref: status.ref ?? "audit_log", runbook: runbook("OPS.AUDIT.BROKEN")))
            }
        }

        let decision = reasons.map(\.effect).max() ?? .allow
        // Strictest first, then in the order found (guard outcomes by time, state, alerts, ops).
        let ordered = reasons.enumerated().sorted { a, b in
            a.element.effect != b.element.effect ? a.element.effect > b.element.effect : a.offset < b.offset
        }.map(\.element)
        var out = JSONObject()
        out["run_id"] = .string(runID)
        out["decision"] = .string(decision.rawValue)
        out["reasons"] = .array(ordered.map(\.json))
        out["decided_at"] = .string(TimestampFormat.iso8601(micros: Int64((now.timeIntervalSince1970 * 1e6).rounded())))
        return .object(out)
    }
}

/// The rows the gate decides from, read in one go on a reader connection.
struct GateFacts {
    struct Outcome {
        var reasonCode: String
        var ref: String
    }

    struct State {
        var toState: String
        var reasonCode: String
        var ref: String
    }

    var known = false
    var guardOutcomes: [Outcome] = []
    var currentState: State?
    var alerts: [AlertRecord] = []

    init(runID: String, on connection: Connection) throws {
        let outcomes = try connection.cachedStatement("""
            SELECT reason_code, event_id FROM guard_outcomes WHERE run_id = $1 ORDER BY decided_at, event_id
            """)
        try outcomes.bind([.text(runID)])
        guardOutcomes = try outcomes.query().rows.map { Outcome(reasonCode: $0[0].string ?? "", ref: $0[1].string ?? "") }
        // The same order the deriver picks a run's current state by.
        let latest = try connection.cachedStatement("""
            SELECT to_state, reason_code, event_id FROM state_transitions WHERE run_id = $1
            ORDER BY seq DESC NULLS LAST, "at" DESC, event_id DESC LIMIT 1
            """)
        try latest.bind([.text(runID)])
        currentState = try latest.query().rows.first.map {
            State(toState: $0[0].string ?? "", reasonCode: $0[1].string ?? "", ref: $0[2].string ?? "")
        }
        let derived = try connection.cachedStatement("SELECT count(*) FROM runs WHERE run_id = $1")
        try derived.bind([.text(runID)])
        let derivedRuns = try derived.query().rows.first?[0].int64 ?? 0
        known = !guardOutcomes.isEmpty || currentState != nil || derivedRuns > 0
        if !known {
            // Rows the deriver has not folded into `runs` yet (it runs every second), and facts:
            // the same evidence of a run as `run_summary` accepts.
            let raw = try connection.cachedStatement("""
                SELECT EXISTS (SELECT 1 FROM spans WHERE run_id = $1) OR EXISTS (SELECT 1 FROM memory_history WHERE run_id = $1)
                """)
            try raw.bind([.text(runID)])
            known = try raw.query().rows.first?[0] == .bool(true)
        }
        if known { alerts = try AlertLedger.firing(covering: runID, on: connection) }
    }
}
