/// The execution plan memoryd tracks: milestones, the work packets that carry them out, and
/// the systems the plan depends on. Loaded from a file by `memoryd plan load`; its status is
/// never typed in but derived from the runs memoryd observes (`PlanStatus`).
public struct Plan: Sendable, Equatable, Decodable {
    /// A short name for the plan (`dome`).
    public var name: String
    public var milestones: [Milestone]
    public var packets: [Packet]
    /// Systems and the systems they depend on (dome → xtrlv2, watcher, opctrl); empty when the
    /// plan does not name any.
    public var systems: [System]

    public struct Milestone: Sendable, Equatable, Decodable {
        /// `LM-01`
        public var id: String
        /// Position in the tracker's table (1, 2, …).
        public var order: Int
        public var title: String
        public var scope: String
        /// Free text the tracker shows as is (`P0`, `high`).
        public var priority: String
        /// Milestones that must be done first.
        public var dependsOn: [String]

        public init(id: String, order: Int, title: String, scope: String = "", priority: String = "", dependsOn: [String] = []) {
            self.id = id
            self.order = order
            self.title = title
            self.scope = scope
            self.priority = priority
            self.dependsOn = dependsOn
        }
    }

    public struct Packet: Sendable, Equatable, Decodable {
        /// `pkt-dome-lm-02-memoryd-duckdb-materialization`: the `packet_id` runs carry.
        public var id: String
        public var milestone: String
        public var title: String
        public var priority: String
        /// Packets that must be done first, besides every packet of the milestones this packet's
        /// milestone depends on.
        public var dependsOn: [String]

        public init(id: String, milestone: String, title: String = "", priority: String = "", dependsOn: [String] = []) {
            self.id = id
            self.milestone = milestone
            self.title = title
            self.priority = priority
            self.dependsOn = dependsOn
        }
    }

    public struct System: Sendable, Equatable, Decodable {
        /// `xtrlv2`
        public var id: String
        public var title: String
        public var dependsOn: [String]

        public init(id: String, title: String = "", dependsOn: [String] = []) {
            self.id = id
            self.title = title
            self.dependsOn = dependsOn
        }
    }

    public init(name: String, milestones: [Milestone], packets: [Packet], systems: [System] = []) {
        self.name = name
        self.milestones = milestones
        self.packets = packets
        self.systems = systems
    }

    /// The packets a packet waits for: its own `depends_on` and every packet of the milestones
    /// its milestone depends on, sorted. Assumes a validated plan.
    public func prerequisites(of packetID: String) -> [String] {
        guard let packet = packets.first(where: { $0.id == packetID }) else { return [] }
        let milestoneDependencies = Set(milestones.first { $0.id == packet.milestone }?.dependsOn ?? [])
        let inherited = packets.filter { milestoneDependencies.contains($0.milestone) }.map(\.id)
        return Array(Set(packet.dependsOn + inherited)).sorted()
    }
}

// MARK: - Decoding (TOML or JSON; keys in snake_case)

extension Plan {
    private enum CodingKeys: String, CodingKey { case name, milestones, packets, systems }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        milestones = try container.decodeIfPresent([Milestone].self, forKey: .milestones) ?? []
        packets = try container.decodeIfPresent([Packet].self, forKey: .packets) ?? []
        systems = try container.decodeIfPresent([System].self, forKey: .systems) ?? []
    }
}

extension Plan.Milestone {
    private enum CodingKeys: String, CodingKey { case id, order, title, scope, priority, dependsOn = "depends_on" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        order = try container.decode(Int.self, forKey: .order)
        title = try container.decode(String.self, forKey: .title)
        scope = try container.decodeIfPresent(String.self, forKey: .scope) ?? ""
        priority = try container.decodeIfPresent(String.self, forKey: .priority) ?? ""
        dependsOn = try container.decodeIfPresent([String].self, forKey: .dependsOn) ?? []
    }
}

extension Plan.Packet {
    private enum CodingKeys: String, CodingKey { case id, milestone, title, priority, dependsOn = "depends_on" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        milestone = try container.decode(String.self, forKey: .milestone)
        title = try container.decodeIfPresent(String.self, forKey: .title) ?? ""
        priority = try container.decodeIfPresent(String.self, forKey: .priority) ?? ""
        dependsOn = try container.decodeIfPresent([String].self, forKey: .dependsOn) ?? []
    }
}

extension Plan.System {
    private enum CodingKeys: String, CodingKey { case id, title, dependsOn = "depends_on" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decodeIfPresent(String.self, forKey: .title) ?? ""
        dependsOn = try container.decodeIfPresent([String].self, forKey: .dependsOn) ?? []
    }
}
