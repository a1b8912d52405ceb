import Contracts

extension PlanStatus {
    /// The whole tracker as the `plan_status` tool and `memoryd plan status --format json` give it.
    public var json: JSONValue {
        let ids = plan.milestones.map(\.id)
        let systemIDs = plan.systems.map(\.id)
        func matrix(_ rows: [[Bool]]) -> JSONValue { .array(rows.map { .array($0.map { .integer($0 ? 1 : 0) }) }) }
        return [
            "plan": .string(plan.name),
            "milestones": .array(milestones.map(\.json)),
            "packets": .array(packets.map(\.json)),
            "milestone_matrix": ["ids": .array(ids.map(JSONValue.string)), "rows": matrix(milestoneMatrix)],
            "system_matrix": ["ids": .array(systemIDs.map(JSONValue.string)), "rows": matrix(systemMatrix)],
        ]
    }
}

extension PlanStatus.MilestoneStatus {
    public var json: JSONValue {
        [
            "order": .integer(Int64(milestone.order)),
            "milestone": .string(milestone.id),
            "title": .string(milestone.title),
            "scope": .string(milestone.scope),
            "priority": .string(milestone.priority),
            "depends_on": .array(milestone.dependsOn.map(JSONValue.string)),
            "status": .string(state.rawValue),
            "packets": .array(packets.map(JSONValue.string)),
            "runs": .array(runs.map(JSONValue.string)),
        ]
    }
}

extension PlanStatus.PacketStatus {
    public var json: JSONValue {
        [
            "packet_id": .string(packet.id),
            "milestone": .string(packet.milestone),
            "title": .string(packet.title),
            "priority": .string(packet.priority),
            "depends_on": .array(prerequisites.map(JSONValue.string)),
            "missing": .array(missing.map(JSONValue.string)),
            "status": .string(state.rawValue),
            "run_id": run.map(JSONValue.string) ?? .null,
            "evidence": .array(evidence.map { ["table": .string($0.table), "ref": .string($0.ref), "detail": .string($0.detail)] }),
        ]
    }
}
