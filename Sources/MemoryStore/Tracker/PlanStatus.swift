import Contracts
import DuckDB

/// The tracker's status table, derived from what memoryd observed: nothing here is typed in.
///
/// A packet is `done` when a run carrying its `packet_id` reached `succeeded` with no open deny
/// (the latest outcome of every guard on that run is not a deny). Otherwise its latest run
/// decides: `failed` when it ended failed or cancelled; `blocked` when it is in state `blocked`,
/// a guard's latest outcome on it maps to hold or deny, or a prerequisite packet is not done;
/// `in_progress` while it runs. A packet without runs is `blocked` while a prerequisite is not
/// done, else `not_started`. Every status names the run and the rows that prove it.
public struct PlanStatus: Sendable {
    public enum State: String, Sendable, CaseIterable {
        case done, inProgress = "in_progress", blocked, failed, notStarted = "not_started"
    }

    /// One stored row behind a status: the table, the row's id there, and what it says.
    public struct Evidence: Sendable, Equatable {
        public let table: String
        public let ref: String
        public let detail: String
    }

    public struct PacketStatus: Sendable {
        public let packet: Plan.Packet
        /// Every packet this one waits for (its own and its milestone's dependencies).
        public let prerequisites: [String]
        /// Prerequisites that are not done.
        public let missing: [String]
        public let state: State
        /// The run that proves the status (nil when no run carries the packet).
        public let run: String?
        public let evidence: [Evidence]
    }

    public struct MilestoneStatus: Sendable {
        public let milestone: Plan.Milestone
        public let state: State
        public let packets: [String]
        /// The runs that prove its packets' statuses, in packet order.
        public let runs: [String]
    }

    public let plan: Plan
    public let milestones: [MilestoneStatus]
    public let packets: [PacketStatus]

    public func packet(_ id: String) -> PacketStatus? { packets.first { $0.packet.id == id } }

    /// `1` where the row milestone depends on the column milestone, in milestone order.
    public var milestoneMatrix: [[Bool]] {
        plan.milestones.map { row in plan.milestones.map { row.dependsOn.contains($0.id) } }
    }

    /// The same for the plan's systems.
    public var systemMatrix: [[Bool]] {
        plan.systems.map { row in plan.systems.map { row.dependsOn.contains($0.id) } }
    }
}

extension PlanStatus {
    /// Derives the status of the stored plan; nil when no plan is loaded. `reasonCodes` maps a
    /// guard's reason code to its gate effect (hold/deny block a packet).
    public static func derive(on connection: Connection, reasonCodes: ReasonCodeRegistry) throws -> PlanStatus? {
        guard let plan = try PlanStore.current(on: connection) else { return nil }
        let observed = try Observations(on: connection, reasonCodes: reasonCodes)
        var states: [String: PacketStatus] = [:]
        // Prerequisites first: the plan is acyclic (validated on load), so this terminates.
        func status(of packet: Plan.Packet) -> PacketStatus {
            if let known = states[packet.id] { return known }
            let prerequisites = plan.prerequisites(of: packet.id)
            let missing = prerequisites.filter { id in
                plan.packets.first { $0.id == id }.map { status(of: $0).state != .done } ?? true
            }
            let result = observed.status(of: packet, prerequisites: prerequisites, missing: missing)
            states[packet.id] = result
            return result
        }
        let packets = plan.packets.map(status(of:))
        let milestones = plan.milestones.map { milestone in
            let own = packets.filter { $0.packet.milestone == milestone.id }
            return MilestoneStatus(milestone: milestone, state: Self.milestoneState(own.map(\.state)),
                                   packets: own.map(\.packet.id), runs: own.compactMap(\.run))
        }
        return PlanStatus(plan: plan, milestones: milestones, packets: packets)
    }

    /// All packets done → done; any failed → failed; any running → in_progress; any blocked →
    /// blocked; else not started (also a milestone without packets: nothing proves it).
    static func milestoneState(_ states: [State]) -> State {
        if !states.isEmpty && states.allSatisfy({ $0 == .done }) { return .done }
        for state in [State.failed, .inProgress, .blocked] where states.contains(state) { return state }
        return states.contains(.done) ? .inProgress : .notStarted
    }
}

/// What the store says about the runs of packets: one read of `runs`, `state_transitions` and
/// `guard_outcomes`, then decided in memory.
private struct Observations {
    struct Run {
        let id: String
        let state: String?
        let lastSeen: Int64
        var succeeded: Transition?
        var latest: Transition?
        var problems: [(effect: GateEffect, evidence: PlanStatus.Evidence)] = []
    }

    struct Transition {
        let eventID: String
        let from: String
        let to: String
        let reasonCode: String
        let at: String
        let seq: Int64?

        var evidence: PlanStatus.Evidence {
            PlanStatus.Evidence(table: "state_transitions", ref: eventID,
                                detail: "\(from) → \(to) (\(reasonCode)) at \(at)" + (seq.map { ", seq \($0)" } ?? ""))
        }
    }

    private var runsByPacket: [String: [Run]] = [:]

    init(on connection: Connection, reasonCodes: ReasonCodeRegistry) throws {
        var runs: [String: Run] = [:]
        var packetOf: [String: String] = [:]
        for row in try connection.query("""
            SELECT run_id, packet_id, current_state, epoch_us(coalesce(last_seen, first_seen, TIMESTAMPTZ '1970-01-01'))
            FROM runs WHERE packet_id IN (SELECT packet_id FROM packets)
            """).rows {
            guard let id = row[0].string, let packet = row[1].string else { continue }
            runs[id] = Run(id: id, state: row[2].string, lastSeen: row[3].int64 ?? 0)
            packetOf[id] = packet
        }
        // Per run, the latest transition into `succeeded` and the latest transition of any kind.
        for row in try connection.query("""
            SELECT run_id, event_id, from_state, to_state, reason_code, strftime("at", '%Y-%m-%dT%H:%M:%S.%fZ'), seq,
                   to_state = 'succeeded' AS succeeded,
                   row_number() OVER (PARTITION BY run_id ORDER BY "at" DESC, seq DESC NULLS LAST, event_id DESC) AS newest
            FROM state_transitions
            WHERE run_id IN (SELECT run_id FROM runs WHERE packet_id IN (SELECT packet_id FROM packets))
            QUALIFY newest = 1
                 OR row_number() OVER (PARTITION BY run_id, to_state = 'succeeded'
                                       ORDER BY "at" DESC, seq DESC NULLS LAST, event_id DESC) = 1 AND succeeded
            """).rows {
            guard let runID = row[0].string, runs[runID] != nil else { continue }
            let transition = Transition(eventID: row[1].string ?? "", from: row[2].string ?? "", to: row[3].string ?? "",
                                        reasonCode: row[4].string ?? "", at: row[5].string ?? "", seq: row[6].int64)
            if case .bool(true) = row[7] { runs[runID]?.succeeded = transition }
            if row[8].int64 == 1 { runs[runID]?.latest = transition }
        }
        // The latest outcome of each guard on each run: a later allow closes an earlier deny.
        for row in try connection.query("""
            SELECT run_id, guard_id, event_id, decision, reason_code, strftime(decided_at, '%Y-%m-%dT%H:%M:%S.%fZ')
            FROM guard_outcomes
            WHERE run_id IN (SELECT run_id FROM runs WHERE packet_id IN (SELECT packet_id FROM packets))
            QUALIFY row_number() OVER (PARTITION BY run_id, guard_id ORDER BY decided_at DESC, event_id DESC) = 1
            ORDER BY run_id, guard_id
            """).rows {
            guard let runID = row[0].string, runs[runID] != nil else { continue }
            let decision = row[3].string ?? ""
            let code = row[4].string ?? ""
            var effect = reasonCodes[code]?.gate ?? .allow
            if decision == "deny" { effect = .deny }
            guard effect != .allow else { continue }
            let evidence = PlanStatus.Evidence(table: "guard_outcomes", ref: row[2].string ?? "",
                                               detail: "guard \(row[1].string ?? "") \(decision) (\(code)) at \(row[5].string ?? "")")
            runs[runID]?.problems.append((effect, evidence))
        }
        for (id, run) in runs { runsByPacket[packetOf[id] ?? "", default: []].append(run) }
    }

    func status(of packet: Plan.Packet, prerequisites: [String], missing: [String]) -> PlanStatus.PacketStatus {
        func result(_ state: PlanStatus.State, _ run: String?, _ evidence: [PlanStatus.Evidence]) -> PlanStatus.PacketStatus {
            PlanStatus.PacketStatus(packet: packet, prerequisites: prerequisites, missing: missing, state: state, run: run,
                                    evidence: evidence)
        }
        let dependencyEvidence = missing.map {
            PlanStatus.Evidence(table: "packets", ref: $0, detail: "prerequisite \($0) is not done")
        }
        let runs = runsByPacket[packet.id] ?? []
        // The newest clean success proves `done`.
        let proving = runs.filter { $0.succeeded != nil && !$0.problems.contains { $0.effect == .deny } }
            .max { ($0.succeeded!.at, $0.id) < ($1.succeeded!.at, $1.id) }
        if let proving, let succeeded = proving.succeeded {
            return result(.done, proving.id, [succeeded.evidence])
        }
        guard let latest = runs.max(by: { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }) else {
            return missing.isEmpty ? result(.notStarted, nil, []) : result(.blocked, nil, dependencyEvidence)
        }
        let transition = latest.latest.map { [$0.evidence] } ?? []
        if latest.state == "failed" || latest.state == "cancelled" {
            return result(.failed, latest.id, transition)
        }
        let blockers = (latest.state == "blocked" ? transition : []) + latest.problems.map(\.evidence) + dependencyEvidence
        if !blockers.isEmpty { return result(.blocked, latest.id, blockers) }
        return result(.inProgress, latest.id, transition)
    }
}

extension PlanStatus {
    /// For the ops gate: the packet `runID` carries and its prerequisites that are not done;
    /// nil when no plan is loaded, the run carries no packet, or the plan lacks its packet.
    public static func missingPrerequisites(ofRun runID: String, on connection: Connection,
                                            reasonCodes: ReasonCodeRegistry) throws -> (packet: String, missing: [String])? {
        guard try connection.query("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'plans'").rows.first?[0].int64 ?? 0 > 0
        else { return nil }
        let lookup = try connection.prepare("""
            SELECT packet_id FROM (
                SELECT packet_id, 0 AS n FROM runs WHERE run_id = $1
                UNION ALL SELECT packet_id, 1 FROM state_transitions WHERE run_id = $1
                UNION ALL SELECT packet_id, 2 FROM guard_outcomes WHERE run_id = $1
                UNION ALL (SELECT packet_id, 3 FROM spans WHERE run_id = $1 AND packet_id IS NOT NULL LIMIT 1))
            WHERE packet_id IS NOT NULL ORDER BY n LIMIT 1
            """)
        try lookup.bind([.text(runID)])
        guard let packetID = try lookup.query().rows.first?[0].string,
              let status = try derive(on: connection, reasonCodes: reasonCodes),
              let packet = status.packet(packetID)
        else { return nil }
        return (packetID, packet.missing)
    }
}
