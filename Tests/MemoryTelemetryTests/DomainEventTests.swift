import MemoryTelemetry
import Testing

/// Guard decisions and state transitions follow the pinned xtrlv2 contracts; a violation
/// throws in debug builds (these tests run in one).
@Suite struct DomainEventTests {
    @Test func conformingEventsAreRecorded() async throws {
        let capture = try await capture { telemetry in
            try await telemetry.withRun(Run(id: "run-events", packetID: "pkt-1")) { _ in
                try telemetry.stateTransition(from: "queued", to: "planning", reasonCode: "GUARD.OK", actor: "scheduler")
                try await telemetry.withStage("act") { _ in
                    try telemetry.guardDecision(.deny, guardID: "pii-egress", reasonCode: "GUARD.PII.LEAK", action: "http.post",
                                                detail: "payload carries an email address")
                    try telemetry.stateTransition(from: "planning", to: "blocked", reasonCode: "STATE.BLOCKED.GUARD")
                }
            }
        }
        let guardEvent = try capture.span(named: "guard {guard_id} {decision}: {reason_code}")
        #expect(guardEvent.string("logfire.msg") == "guard pii-egress deny: GUARD.PII.LEAK")
        #expect(guardEvent.string("guard_id") == "pii-egress")
        #expect(guardEvent.string("decision") == "deny")
        #expect(guardEvent.string("reason_code") == "GUARD.PII.LEAK")
        #expect(guardEvent.string("action") == "http.post")
        #expect(guardEvent.string("dome.event") == "xtrlv2/guard_outcome.v1")
        #expect(guardEvent.int("logfire.level_num") == 17, "GUARD.PII.LEAK is critical")
        #expect(guardEvent.string("dome.run.id") == "run-events")

        let transitions = capture.spans(named: "state {from_state} → {to_state}: {reason_code}")
        #expect(transitions.map { $0.string("to_state") } == ["planning", "blocked"])
        #expect(transitions.map { $0.int("seq") } == [0, 1])
        #expect(transitions[0].string("actor") == "scheduler")
        #expect(transitions[0].string("dome.event") == "xtrlv2/state_transition.v1")
        #expect(transitions[0].int("logfire.level_num") == 9)
        #expect(transitions[1].int("logfire.level_num") == 13, "STATE.BLOCKED.GUARD is high")
    }

    @Test func violationsThrowInDebugBuilds() async throws {
        let capture = try await capture { telemetry in
            try await telemetry.withRun(Run(id: "run-violations")) { _ in
                #expect(throws: ContractViolationError.self) {
                    try telemetry.guardDecision(.deny, guardID: "pii-egress", reasonCode: "GUARD.MADE.UP")
                }
                do {
                    try telemetry.stateTransition(from: "queued", to: "succeeded", reasonCode: "STATE.VERIFY.PASSED")
                    Issue.record("an illegal transition was accepted")
                } catch let error as ContractViolationError {
                    #expect(error.schema == "xtrlv2/state_transition.v1")
                    #expect(error.violations.contains { $0.contains("not allowed") })
                }
            }
            #expect(throws: ContractViolationError.self, "a guard outcome needs a run") {
                try telemetry.guardDecision(.allow, guardID: "admission", reasonCode: "GUARD.OK")
            }
        }
        #expect(capture.spans(named: "guard {guard_id} {decision}: {reason_code}").isEmpty)
        #expect(capture.spans(named: "state {from_state} → {to_state}: {reason_code}").isEmpty)
    }
}
