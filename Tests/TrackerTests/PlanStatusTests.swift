import Contracts
import Foundation
import MemoryService
import MemoryStore
import Testing
@testable import memoryd

/// Status is derived from ingested envelopes, one scenario per status.
@Suite struct PlanStatusTests {
    /// M1 (A done, B failed) · M2 (C waits for B) · M3 (D running, E denied by a guard, F in state
    /// blocked) · M4 (G never started) · M5 (H: a success with an open deny, then a clean one).
    static let plan = Plan(name: "scenario", milestones: [
        .init(id: "M1", order: 1, title: "First", scope: "a and b", priority: "P0"),
        .init(id: "M2", order: 2, title: "Second", priority: "P0", dependsOn: ["M1"]),
        .init(id: "M3", order: 3, title: "Third", priority: "P1"),
        .init(id: "M4", order: 4, title: "Fourth", priority: "P2"),
        .init(id: "M5", order: 5, title: "Fifth", priority: "P2"),
    ], packets: [
        .init(id: "pkt-a", milestone: "M1"), .init(id: "pkt-b", milestone: "M1", dependsOn: ["pkt-a"]),
        .init(id: "pkt-c", milestone: "M2"),
        .init(id: "pkt-d", milestone: "M3"), .init(id: "pkt-e", milestone: "M3"), .init(id: "pkt-f", milestone: "M3"),
        .init(id: "pkt-g", milestone: "M4"),
        .init(id: "pkt-h", milestone: "M5"),
    ], systems: [.init(id: "dome", dependsOn: ["xtrlv2"]), .init(id: "xtrlv2")])

    static func scenario() throws -> TrackerFixture {
        let fixture = try TrackerFixture()
        try fixture.load(plan)
        fixture.run("run-a1", packet: "pkt-a", through: ["planning", "executing", "verifying", "succeeded"])
        fixture.run("run-b1", packet: "pkt-b", through: ["planning", "executing", "failed"], start: 10)
        fixture.run("run-d1", packet: "pkt-d", through: ["planning", "executing"], start: 20)
        fixture.run("run-e1", packet: "pkt-e", through: ["planning", "executing"], start: 30)
        fixture.guardOutcome("run-e1", packet: "pkt-e", guardID: "budget", decision: "deny", code: "GUARD.BUDGET.EXCEEDED", minute: 33)
        fixture.run("run-f1", packet: "pkt-f", through: ["planning", "executing", "blocked"], start: 40)
        fixture.run("run-h1", packet: "pkt-h", through: ["planning", "executing", "verifying", "succeeded"], start: 50)
        fixture.guardOutcome("run-h1", packet: "pkt-h", guardID: "pii-egress", decision: "deny", code: "GUARD.PII.LEAK", minute: 51)
        try fixture.ingestBuilt()
        return fixture
    }

    @Test func everyStatusIsDerivedWithTheRunThatProvesIt() throws {
        let fixture = try Self.scenario()
        var status = try fixture.status()
        func packet(_ id: String) throws -> PlanStatus.PacketStatus { try #require(status.packet(id)) }

        #expect(try packet("pkt-a").state == .done)
        #expect(try packet("pkt-a").run == "run-a1")
        #expect(try packet("pkt-a").evidence.first?.table == "state_transitions")
        #expect(try packet("pkt-a").evidence.first?.detail.hasPrefix("verifying → succeeded (STATE.VERIFY.PASSED)") == true)

        #expect(try packet("pkt-b").state == .failed)
        #expect(try packet("pkt-b").run == "run-b1")

        #expect(try packet("pkt-c").state == .blocked)
        #expect(try packet("pkt-c").missing == ["pkt-b"])
        #expect(try packet("pkt-c").run == nil)

        #expect(try packet("pkt-d").state == .inProgress)
        #expect(try packet("pkt-e").state == .blocked)
        #expect(try packet("pkt-e").evidence.map(\.table) == ["guard_outcomes"])
        #expect(try packet("pkt-f").state == .blocked)
        #expect(try packet("pkt-f").evidence.first?.detail.contains("→ blocked") == true)
        #expect(try packet("pkt-g").state == .notStarted)

        // A success with an open deny does not prove the packet: the deny blocks it.
        #expect(try packet("pkt-h").state == .blocked)
        #expect(try packet("pkt-h").run == "run-h1")

        #expect(status.milestones.map(\.state) == [.failed, .blocked, .inProgress, .notStarted, .blocked])
        #expect(status.milestones[0].runs == ["run-a1", "run-b1"])

        // A later allow from the same guard closes the deny; a clean run then proves the packet.
        fixture.guardOutcome("run-h1", packet: "pkt-h", guardID: "pii-egress", decision: "allow", code: "GUARD.OK", minute: 58)
        fixture.run("run-b2", packet: "pkt-b", through: ["planning", "executing", "verifying", "succeeded"], start: 70)
        try fixture.ingestBuilt()
        status = try fixture.status()
        #expect(try packet("pkt-h").state == .done)
        #expect(try packet("pkt-b").state == .done)
        #expect(try packet("pkt-b").run == "run-b2")
        #expect(try packet("pkt-c").state == .notStarted)
        #expect(try packet("pkt-c").missing.isEmpty)
        #expect(status.milestones.map(\.state) == [.done, .notStarted, .inProgress, .notStarted, .done])
    }

    @Test func theFixturesProveTheDomePlan() throws {
        let fixture = try TrackerFixture()
        try fixture.load(PlanCommand.Load.read(Fixtures.repository.appendingPathComponent("plans/dome.toml").path))
        try fixture.ingest(file: Fixtures.envelopes.appendingPathComponent("clean.jsonl").path)
        let status = try fixture.status()
        // LM-04's only run succeeded with the pii-egress guard's deny still open: not done.
        #expect(status.packets.map(\.state) == [.done, .done, .done, .blocked])
        #expect(status.milestones.map(\.state) == [.done, .done, .done, .blocked])
        let policy = try #require(status.packet("pkt-dome-lm-04-policy-hardening-ops"))
        #expect(policy.evidence.map(\.table) == ["guard_outcomes"])
        #expect(policy.evidence.first?.detail.contains("pii-egress deny (GUARD.PII.LEAK)") == true)
        for packet in status.packets where packet.state == .done {
            let run = try #require(packet.run)
            // The proving run really reached succeeded and carries the packet.
            let rows = try fixture.connection().query("""
                SELECT count(*) FROM state_transitions WHERE run_id = '\(run)' AND packet_id = '\(packet.packet.id)'
                AND to_state = 'succeeded'
                """).rows
            #expect(rows[0][0].int64 == 1)
        }
    }

    @Test func tableAndMarkdownLookLikeAHandKeptTracker() throws {
        let status = try Self.scenario().status()
        let markdown = PlanStatusFormatter.render(status, style: .markdown)
        #expect(markdown.contains("| Order | Milestone | Scope | Priority | Depends on | Status | Proving run |"))
        #expect(markdown.contains("| 1 | M1 First | a and b | P0 | — | failed | run-a1, run-b1 |"))
        #expect(markdown.contains("| 2 | M2 Second |  | P0 | M1 | blocked | — |"))
        // The matrix: M2 depends on M1 only.
        #expect(markdown.contains("| Milestone | M1 | M2 | M3 | M4 | M5 |"))
        #expect(markdown.contains("| M2 | 1 | 0 | 0 | 0 | 0 |"))
        #expect(markdown.contains("| dome | 0 | 1 |"))
        let table = PlanStatusFormatter.render(status, style: .text)
        #expect(table.contains("Dependency matrix (1: the row depends on the column)"))
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("M2 ") && $0.hasSuffix("1   0   0   0   0") })
    }

    @Test func trackerToolsAnswerOnTheMemoryAPI() async throws {
        let fixture = try Self.scenario()
        let service = try fixture.service()
        let plan = try await service.call("plan_status", arguments: [:], caller: Caller(surface: .rest))
        #expect(plan["plan"] == "scenario")
        #expect(plan["milestones"]?.arrayValue?.count == 5)
        #expect(plan["milestone_matrix"]?["rows"]?.arrayValue?[1] == [1, 0, 0, 0, 0])
        let packet = try await service.call("packet_status", arguments: ["packet_id": "pkt-c"], caller: Caller(surface: .mcp))
        #expect(packet["status"] == "blocked")
        #expect(packet["missing"] == ["pkt-b"])
        await #expect(throws: MemoryServiceError.self) {
            try await service.call("packet_status", arguments: ["packet_id": "pkt-nope"], caller: Caller(surface: .a2a))
        }
        do {
            _ = try await service.call("packet_status", arguments: ["packet_id": "pkt-nope"], caller: Caller(surface: .a2a))
        } catch {
            #expect(error.name == "not_found")
        }
    }

    @Test func noPlanIsNotFound() async throws {
        let fixture = try TrackerFixture()
        let service = try fixture.service()
        do {
            _ = try await service.call("plan_status", arguments: [:], caller: Caller(surface: .rest))
            Issue.record("plan_status answered without a plan")
        } catch {
            #expect(error.name == "not_found")
        }
    }
}
