import Foundation
import MemoryStore
import Testing
@testable import memoryd

@Suite struct PlanLoadTests {
    private static let examplePlan = Fixtures.repository.appendingPathComponent("plans/dome.toml").path

    private func plan(milestones: [Plan.Milestone], packets: [Plan.Packet], systems: [Plan.System] = []) -> Plan {
        Plan(name: "test", milestones: milestones, packets: packets, systems: systems)
    }

    @Test func theExamplePlanLoadsAndReadsBack() throws {
        let plan = try PlanCommand.Load.read(Self.examplePlan)
        #expect(plan.name == "dome")
        #expect(plan.milestones.map(\.id) == ["LM-01", "LM-02", "LM-03", "LM-04"])
        #expect(plan.packets.map(\.id) == [
            "pkt-dome-lm-01-otel-logfire-baseline", "pkt-dome-lm-02-memoryd-duckdb-materialization",
            "pkt-dome-lm-03-memory-mcp-a2a-interface", "pkt-dome-lm-04-policy-hardening-ops",
        ])
        #expect(plan.systems.map(\.id) == ["dome", "xtrlv2", "watcher", "opctrl"])
        #expect(plan.prerequisites(of: "pkt-dome-lm-04-policy-hardening-ops") == [
            "pkt-dome-lm-02-memoryd-duckdb-materialization", "pkt-dome-lm-03-memory-mcp-a2a-interface",
        ])
        let fixture = try TrackerFixture()
        try fixture.load(plan)
        #expect(try PlanStore.current(on: fixture.connection()) == plan)
        #expect(try fixture.connection().query("SELECT count(*) FROM dependencies WHERE kind = 'milestone'").rows[0][0].int64 == 4)
    }

    @Test func theSameShapeLoadsFromJSON() throws {
        let fixture = try TrackerFixture()
        let path = fixture.directory.appendingPathComponent("plan.json").path
        try Data("""
            {"name": "json", "milestones": [{"id": "M1", "order": 1, "title": "One"}],
             "packets": [{"id": "p1", "milestone": "M1", "depends_on": []}]}
            """.utf8).write(to: URL(fileURLWithPath: path))
        let plan = try PlanCommand.Load.read(path)
        #expect(plan.milestones.first?.title == "One")
        #expect(plan.packets.first?.milestone == "M1")
    }

    @Test func aMissingFieldNamesItsPlace() throws {
        let fixture = try TrackerFixture()
        let path = fixture.directory.appendingPathComponent("plan.toml").path
        try Data("name = \"x\"\n[[milestones]]\nid = \"M1\"\norder = 1\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: UsageError.self) { try PlanCommand.Load.read(path) }
        #expect(error.description.contains("title"))
        #expect(error.description.contains("milestones"))
    }

    @Test func aCycleIsRefusedWithItsPath() throws {
        let cyclic = plan(milestones: [
            .init(id: "M1", order: 1, title: "a", dependsOn: ["M3"]),
            .init(id: "M2", order: 2, title: "b", dependsOn: ["M1"]),
            .init(id: "M3", order: 3, title: "c", dependsOn: ["M2"]),
        ], packets: [])
        let error = try #require(throws: PlanError.self) { try cyclic.validate() }
        #expect(error.isCycle)
        #expect(error.description == "milestone dependency cycle: M1 → M3 → M2 → M1")

        let selfLoop = plan(milestones: [.init(id: "M1", order: 1, title: "a")],
                            packets: [.init(id: "p", milestone: "M1", dependsOn: ["p"])])
        #expect(throws: PlanError.self) { try selfLoop.validate() }

        // A packet cycle that only exists through the milestone's inherited dependencies.
        let inherited = plan(milestones: [
            .init(id: "M1", order: 1, title: "a"), .init(id: "M2", order: 2, title: "b", dependsOn: ["M1"]),
        ], packets: [.init(id: "p1", milestone: "M1", dependsOn: ["p2"]), .init(id: "p2", milestone: "M2")])
        let packetCycle = try #require(throws: PlanError.self) { try inherited.validate() }
        #expect(packetCycle.description == "packet dependency cycle: p1 → p2 → p1")

        let systems = plan(milestones: [], packets: [], systems: [
            .init(id: "a", dependsOn: ["b"]), .init(id: "b", dependsOn: ["a"]),
        ])
        #expect(errorText(systems) == "system dependency cycle: a → b → a")
    }

    @Test func unknownDependenciesAndDuplicatesAreNamed() throws {
        let unknownMilestone = plan(milestones: [.init(id: "M1", order: 1, title: "a", dependsOn: ["M9"])], packets: [])
        #expect(errorText(unknownMilestone) == "milestone M1 depends on unknown milestone M9")

        let unknownPacket = plan(milestones: [.init(id: "M1", order: 1, title: "a")],
                                 packets: [.init(id: "p1", milestone: "M1", dependsOn: ["nope"])])
        #expect(errorText(unknownPacket) == "packet p1 depends on unknown packet nope")

        let packetOfNowhere = plan(milestones: [.init(id: "M1", order: 1, title: "a")], packets: [.init(id: "p1", milestone: "M7")])
        #expect(errorText(packetOfNowhere) == "packet p1 belongs to unknown milestone M7")

        let duplicate = plan(milestones: [.init(id: "M1", order: 1, title: "a")],
                             packets: [.init(id: "p1", milestone: "M1"), .init(id: "p1", milestone: "M1")])
        #expect(errorText(duplicate) == "duplicate packet p1")

        let sameOrder = plan(milestones: [.init(id: "M1", order: 1, title: "a"), .init(id: "M2", order: 1, title: "b")], packets: [])
        #expect(errorText(sameOrder) == "duplicate milestone order 1 (M1, M2)")
    }

    @Test func aRefusedPlanLeavesTheLoadedOneWhole() throws {
        let fixture = try TrackerFixture()
        let good = try PlanCommand.Load.read(Self.examplePlan)
        try fixture.load(good)
        var bad = good
        bad.packets.append(.init(id: "pkt-extra", milestone: "LM-01", dependsOn: ["pkt-missing"]))
        #expect(throws: PlanError.self) { try fixture.load(bad) }
        #expect(try PlanStore.current(on: fixture.connection()) == good)
        for table in ["milestones", "packets", "systems", "dependencies", "plans"] {
            let before = try fixture.connection().query("SELECT count(*) FROM \(table)").rows[0][0].int64
            #expect(before != nil && before! > 0, "\(table) is empty")
        }
        // A second good load replaces the first entirely.
        var smaller = good
        smaller.packets.removeLast()
        smaller.milestones.removeLast()
        try fixture.load(smaller)
        #expect(try PlanStore.current(on: fixture.connection()) == smaller)
        #expect(try fixture.connection().query("SELECT count(*) FROM plans").rows[0][0].int64 == 1)
    }

    private func errorText(_ plan: Plan) -> String {
        do {
            try plan.validate()
            return "valid"
        } catch {
            return error.description
        }
    }
}
