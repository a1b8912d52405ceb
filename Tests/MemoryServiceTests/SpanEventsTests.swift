import Contracts
import Foundation
import MemoryService
import MemoryStore
import Testing

/// Guard decisions and transitions recorded as spans (as `MemoryTelemetry` sends them) land in
/// the same derived tables as envelopes, and replay rebuilds them identically.
@Suite struct SpanEventsTests {
    @Test func domainEventSpansAreDerivedLikeEnvelopes() async throws {
        let f = try ServiceFixture()
        let ms: UInt64 = 1_000_000
        try f.ingest(plannerRun("lib-run", trace: 3) + [
            span(trace: 3, span: 20, parent: 1, name: "guard {guard_id} {decision}: {reason_code}", run: "lib-run",
                 start: baseTime + 2 * ms, duration: 0, attributes: [
                    kv("dome.event", "xtrlv2/guard_outcome.v1"), kv("guard_id", "secret-egress"), kv("decision", "deny"),
                    kv("reason_code", "GUARD.SECRET_EGRESS"), kv("action", "block"), kv("dome.stage", "act")]),
            span(trace: 3, span: 21, parent: 1, name: "state {from_state} → {to_state}: {reason_code}", run: "lib-run",
                 start: baseTime + 3 * ms, duration: 0, attributes: [
                    kv("dome.event", "xtrlv2/state_transition.v1"), kv("from_state", "queued"), kv("to_state", "planning"),
                    kv("reason_code", "RUN.STARTED"), kv("seq", Int64(1))]),
            // Without the contract's fields it is not a guard outcome.
            span(trace: 3, span: 22, parent: 1, name: "half", run: "lib-run", start: baseTime + 4 * ms, duration: 0,
                 attributes: [kv("dome.event", "xtrlv2/guard_outcome.v1")]),
        ])
        let derived = try await f.service.refreshDerivedTables()
        #expect(derived.guardOutcomes == 1)
        #expect(derived.transitions == 1)
        let summary = try await f.call("run_summary", ["run_id": "lib-run"])
        let guards = try #require(summary["guard_outcomes"]?.arrayValue)
        #expect(guards.count == 1)
        #expect(guards.first?["guard_id"] == "secret-egress")
        #expect(guards.first?["decision"] == "deny")
        #expect(guards.first?["stage"] == "act")
        #expect(summary["transitions"]?.arrayValue?.first?["to"] == "planning")
        #expect(summary["current_state"] == "planning")
        #expect(summary["status"] == "running")
        #expect(try f.count("SELECT guard_denies FROM runs WHERE run_id = 'lib-run'") == 1)

        let connection = try f.store.connect()
        let before = try RunDeriver.digests(on: connection).map { "\($0.table) \($0.rows) \($0.md5)" }
        try RunDeriver.replay(.init(), on: connection)
        #expect(try RunDeriver.digests(on: connection).map { "\($0.table) \($0.rows) \($0.md5)" } == before)
        try connection.execute("DELETE FROM guard_outcomes")
        try RunDeriver.replay(.init(topic: "dome.guard.outcome"), on: connection)
        #expect(try RunDeriver.digests(on: connection).map { "\($0.table) \($0.rows) \($0.md5)" } == before)
        // Nothing new: a second pass adds nothing.
        #expect(try await f.service.refreshDerivedTables() == RunDeriver.Result())
    }
}
