import Contracts
import MemoryService
import MemoryStore
import Testing

/// The ops gate holds a run whose packet waits for packets that are not done.
@Suite struct GateDependencyTests {
    private func gate(_ service: MemoryService, _ run: String) async throws -> JSONValue {
        let answer = try await service.call("ops_gate", arguments: ["run_id": .string(run)], caller: Caller(surface: .rest))
        #expect(try ContractRegistry.pinned().validate(answer, against: "opctrl/gate_decision.v1") == [])
        return answer
    }

    @Test func aRunWhosePrerequisitesAreNotDoneIsHeldNamingThem() async throws {
        let fixture = try PlanStatusTests.scenario()
        // pkt-c waits for pkt-b (its milestone M2 depends on M1), whose only run failed.
        fixture.run("run-c1", packet: "pkt-c", through: ["planning"], start: 80)
        try fixture.ingestBuilt()
        let service = try fixture.service()

        let held = try await gate(service, "run-c1")
        #expect(held["decision"] == "hold")
        let reasons = try #require(held["reasons"]?.arrayValue)
        #expect(reasons.count == 1)
        #expect(reasons.first?["reason_code"] == "DEPENDENCY.NOT_DONE")
        #expect(reasons.first?["ref"] == "packets:pkt-b")
        #expect(reasons.first?["runbook"] == "runbooks/dependency-not-done.md")

        // pkt-a waits for nothing: no dependency reason.
        let free = try await gate(service, "run-a1")
        #expect(free["decision"] == "allow")

        // Once pkt-b is done, pkt-c's run may proceed.
        fixture.run("run-b2", packet: "pkt-b", through: ["planning", "executing", "verifying", "succeeded"], start: 90)
        try fixture.ingestBuilt()
        let allowed = try await gate(service, "run-c1")
        #expect(allowed["decision"] == "allow")
        #expect(allowed["reasons"] == [])
    }

    @Test func withoutAPlanTheGateIgnoresPackets() async throws {
        let fixture = try TrackerFixture()
        fixture.run("run-x", packet: "pkt-anything", through: ["planning"])
        try fixture.ingestBuilt()
        let answer = try await gate(try fixture.service(), "run-x")
        #expect(answer["decision"] == "allow")
    }

    @Test func memorydsOwnCodeIsNotAnXtrlv2Code() throws {
        let contracts = try ContractRegistry.pinned()
        #expect(contracts.reasonCode("DEPENDENCY.NOT_DONE") == nil)
        let own = try #require(contracts.answerCode("DEPENDENCY.NOT_DONE"))
        #expect(own.gate == .hold)
        #expect(own.runbook?.id == "RB-401")
    }
}
