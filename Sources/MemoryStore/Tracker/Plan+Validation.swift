extension Plan {
    /// Checks what a tracker cannot work with: empty or duplicate ids, dependencies on ids the
    /// plan does not have, and dependency cycles (milestones, packets including what they inherit
    /// from their milestone, systems). Throws the first problem found, naming it.
    public func validate() throws(PlanError) {
        if name.isEmpty { throw .empty("the plan's name") }
        try Self.checkIDs("milestone", milestones.map(\.id))
        try Self.checkIDs("packet", packets.map(\.id))
        try Self.checkIDs("system", systems.map(\.id))
        var orders: [Int: String] = [:]
        for milestone in milestones {
            if let other = orders.updateValue(milestone.id, forKey: milestone.order) {
                throw .duplicate("milestone order", "\(milestone.order) (\(other), \(milestone.id))")
            }
        }
        let milestoneIDs = Set(milestones.map(\.id))
        for packet in packets where !milestoneIDs.contains(packet.milestone) {
            throw .unknownMilestone(packet: packet.id, milestone: packet.milestone)
        }
        try Self.checkGraph("milestone", milestones.map { ($0.id, $0.dependsOn) })
        try Self.checkGraph("system", systems.map { ($0.id, $0.dependsOn) })
        let packetIDs = Set(packets.map(\.id))
        for packet in packets {
            for dependency in packet.dependsOn where !packetIDs.contains(dependency) {
                throw .unknownDependency("packet", packet.id, on: dependency)
            }
        }
        try Self.checkGraph("packet", packets.map { ($0.id, prerequisites(of: $0.id)) })
    }

    private static func checkIDs(_ kind: String, _ ids: [String]) throws(PlanError) {
        var seen = Set<String>()
        for id in ids {
            if id.isEmpty { throw .empty("a \(kind) id") }
            if !seen.insert(id).inserted { throw .duplicate(kind, id) }
        }
    }

    /// Unknown dependencies first, then a depth-first search that reports the first cycle as a
    /// path (`LM-01 → LM-02 → LM-01`). Nodes are visited in file order so the answer is stable.
    private static func checkGraph(_ kind: String, _ nodes: [(id: String, dependsOn: [String])]) throws(PlanError) {
        let edges = Dictionary(nodes.map { ($0.id, $0.dependsOn) }, uniquingKeysWith: { first, _ in first })
        for node in nodes {
            for dependency in node.dependsOn where edges[dependency] == nil {
                throw .unknownDependency(kind, node.id, on: dependency)
            }
        }
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        func visit(_ id: String) throws(PlanError) {
            switch marks[id] {
            case .done?: return
            case .visiting?:
                let start = path.firstIndex(of: id) ?? 0
                throw .cycle(kind, Array(path[start...]) + [id])
            case nil:
                marks[id] = .visiting
                path.append(id)
                for dependency in edges[id] ?? [] { try visit(dependency) }
                path.removeLast()
                marks[id] = .done
            }
        }
        for node in nodes { try visit(node.id) }
    }
}
