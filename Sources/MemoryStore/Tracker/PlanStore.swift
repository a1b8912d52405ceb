import DuckDB

/// Keeps the loaded plan in the store: `plans`, `milestones`, `packets`, `systems` and
/// `dependencies`, replaced as a whole in one transaction so nothing is ever half-loaded.
public enum PlanStore {
    /// Validates `plan` and replaces the stored one with it. On any error the stored plan is
    /// left as it was.
    public static func replace(with plan: Plan, source: String?, on connection: Connection) throws {
        try plan.validate()
        try connection.transaction {
            try connection.execute("""
                DELETE FROM plans; DELETE FROM milestones; DELETE FROM packets;
                DELETE FROM systems; DELETE FROM dependencies;
                """)
            try insert(on: connection, "INSERT INTO plans VALUES ($1, $2, now())",
                       [[.text(plan.name), source.map(Value.text) ?? .null]])
            try insert(on: connection, "INSERT INTO milestones VALUES ($1, $2, $3, $4, $5)", plan.milestones.map {
                [.text($0.id), .int(Int64($0.order)), .text($0.title), .text($0.scope), .text($0.priority)]
            })
            try insert(on: connection, "INSERT INTO packets VALUES ($1, $2, $3, $4, $5)", plan.packets.enumerated().map {
                [.text($1.id), .text($1.milestone), .text($1.title), .text($1.priority), .int(Int64($0))]
            })
            try insert(on: connection, "INSERT INTO systems VALUES ($1, $2, $3)", plan.systems.enumerated().map {
                [.text($1.id), .text($1.title), .int(Int64($0))]
            })
            func edges(_ kind: String, _ id: String, _ dependsOn: [String]) -> [[Value]] {
                dependsOn.enumerated().map { [.text(kind), .text(id), .text($1), .int(Int64($0))] }
            }
            let all = plan.milestones.flatMap { edges("milestone", $0.id, $0.dependsOn) }
                + plan.packets.flatMap { edges("packet", $0.id, $0.dependsOn) }
                + plan.systems.flatMap { edges("system", $0.id, $0.dependsOn) }
            try insert(on: connection, "INSERT INTO dependencies VALUES ($1, $2, $3, $4)", all)
        }
    }

    /// The stored plan, or nil when none was loaded.
    public static func current(on connection: Connection) throws -> Plan? {
        guard let name = try connection.query("SELECT name FROM plans LIMIT 1").rows.first?[0].string else { return nil }
        var dependencies: [String: [String: [String]]] = [:]
        for row in try connection.query("SELECT kind, id, depends_on FROM dependencies ORDER BY kind, id, ord").rows {
            dependencies[row[0].string ?? "", default: [:]][row[1].string ?? "", default: []].append(row[2].string ?? "")
        }
        let milestones = try connection.query(
            "SELECT milestone_id, ord, title, scope, priority FROM milestones ORDER BY ord, milestone_id"
        ).rows.map { row in
            let id = row[0].string ?? ""
            return Plan.Milestone(id: id, order: Int(row[1].int64 ?? 0), title: row[2].string ?? "", scope: row[3].string ?? "",
                                  priority: row[4].string ?? "", dependsOn: dependencies["milestone"]?[id] ?? [])
        }
        let packets = try connection.query(
            "SELECT packet_id, milestone_id, title, priority FROM packets ORDER BY ord"
        ).rows.map { row in
            let id = row[0].string ?? ""
            return Plan.Packet(id: id, milestone: row[1].string ?? "", title: row[2].string ?? "", priority: row[3].string ?? "",
                               dependsOn: dependencies["packet"]?[id] ?? [])
        }
        let systems = try connection.query("SELECT system_id, title FROM systems ORDER BY ord").rows.map { row in
            let id = row[0].string ?? ""
            return Plan.System(id: id, title: row[1].string ?? "", dependsOn: dependencies["system"]?[id] ?? [])
        }
        return Plan(name: name, milestones: milestones, packets: packets, systems: systems)
    }

    private static func insert(on connection: Connection, _ sql: String, _ rows: [[Value]]) throws {
        guard !rows.isEmpty else { return }
        let statement = try connection.prepare(sql)
        for row in rows {
            try statement.bind(row)
            _ = try statement.execute()
        }
    }
}
