import Crypto
import DuckDB
import Foundation

/// The evidence root of one milestone: the proving runs' spans, state transitions, guard
/// outcomes and audit rows as Parquet, a `README.md` that says what ran, when, with what
/// outcome and counts (each with the SQL that reproduces it), and `MANIFEST.sha256`
/// (`sha256sum -c` format). Everything in it is a function of the stored rows, so exporting
/// twice gives identical files.
public enum EvidenceExport {
    public struct Result: Sendable {
        public let milestone: String
        public let state: PlanStatus.State
        public let runs: [String]
        /// File name and SHA-256, as in the manifest.
        public let files: [(name: String, sha256: String)]
    }

    public struct UnknownMilestone: Error, CustomStringConvertible {
        public let id: String
        public let known: [String]
        public var description: String { "milestone \(id) is not in the loaded plan (it has \(known.joined(separator: ", ")))" }
    }

    /// Writes the evidence for `milestoneID` into `directory` (created if needed; files of the
    /// same names are replaced). `connection` must be allowed to write files there.
    public static func export(_ milestoneID: String, status: PlanStatus, to directory: URL,
                              on connection: Connection) throws -> Result {
        guard let milestone = status.milestones.first(where: { $0.milestone.id == milestoneID }) else {
            throw UnknownMilestone(id: milestoneID, known: status.milestones.map(\.milestone.id))
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let runs = Array(Set(milestone.runs)).sorted()
        let packets = status.packets.filter { $0.packet.milestone == milestoneID }
        let runList = runs.isEmpty ? "NULL" : runs.map(SQL.literal).joined(separator: ", ")
        // Audit targets as the memory API writes them (`run:…`, `packet:…`).
        let targets = (packets.map { "packet:\($0.packet.id)" } + runs.map { "run:\($0)" }).map(SQL.literal).joined(separator: ", ")

        // Each file: the rows (`FROM … WHERE …`) and the order that makes the file reproducible.
        var tables: [(file: String, what: String, rows: String, order: String)] = [
            ("spans.parquet", "spans", "spans WHERE run_id IN (\(runList))", "start_time_unix_nano, trace_id, span_id"),
            ("state_transitions.parquet", "state transitions", "state_transitions WHERE run_id IN (\(runList))",
             "run_id, seq NULLS LAST, \"at\", source, event_id"),
            ("guard_outcomes.parquet", "guard outcomes", "guard_outcomes WHERE run_id IN (\(runList))",
             "run_id, decided_at, source, event_id"),
        ]
        if try tableExists("audit_log", on: connection) {
            tables.append(("audit_log.parquet", "audit rows", "audit_log WHERE target IN (\(targets))", "seq"))
        }
        var counts: [(what: String, count: Int64, sql: String)] = []
        for table in tables {
            let path = directory.appendingPathComponent(table.file).path
            try connection.execute(
                "COPY (SELECT * FROM \(table.rows) ORDER BY \(table.order)) TO \(SQL.literal(path)) (FORMAT parquet, COMPRESSION zstd)")
            let countSQL = "SELECT count(*) FROM \(table.rows)"
            counts.append((table.what, try connection.query(countSQL).rows.first?[0].int64 ?? 0, countSQL))
        }
        let runRows = try connection.query("""
            SELECT run_id, packet_id, agent, strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ'), strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ'),
                   current_state, status, span_count, error_count, guard_denies
            FROM runs WHERE run_id IN (\(runList)) ORDER BY run_id
            """).rows.map { $0.map { $0.isNull ? "—" : $0.description } }

        let readme = summary(milestone, packets: packets, plan: status.plan.name, runRows: runRows, counts: counts,
                             files: tables.map(\.file))
        try Data(readme.utf8).write(to: directory.appendingPathComponent("README.md"))
        var files: [(String, String)] = []
        for name in (tables.map(\.file) + ["README.md"]).sorted() {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files.append((name, SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()))
        }
        let manifest = files.map { "\($0.1)  \($0.0)\n" }.joined()
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("MANIFEST.sha256"))
        return Result(milestone: milestoneID, state: milestone.state, runs: runs, files: files)
    }

    private static func summary(_ milestone: PlanStatus.MilestoneStatus, packets: [PlanStatus.PacketStatus], plan: String,
                                runRows: [[String]], counts: [(what: String, count: Int64, sql: String)], files: [String]) -> String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        let m = milestone.milestone
        var out = "# Evidence: \(m.id) \(m.title)\n\n"
        out += "Plan `\(plan)`, milestone \(m.id) (order \(m.order)"
        out += m.priority.isEmpty ? "" : ", priority \(m.priority)"
        out += "): **\(milestone.state.rawValue)**.\n"
        if !m.scope.isEmpty { out += "\nScope: \(m.scope)\n" }
        if !m.dependsOn.isEmpty { out += "\nDepends on: \(m.dependsOn.joined(separator: ", ")).\n" }
        out += "\n## Packets\n\n" + row(["Packet", "Status", "Run", "Evidence"]) + row(["---", "---", "---", "---"])
        for p in packets {
            out += row([p.packet.id, p.state.rawValue, p.run ?? "—",
                        p.evidence.map { "\($0.table) `\($0.ref)`: \($0.detail)" }.joined(separator: "; ")])
        }
        out += "\n## Runs\n\n"
        if runRows.isEmpty {
            out += "No run proves a packet of this milestone yet.\n"
        } else {
            let header = ["Run", "Packet", "Agent", "First seen", "Last seen", "State", "Status", "Spans", "Errors", "Guard denies"]
            out += row(header) + row(header.map { _ in "---" }) + runRows.map(row).joined()
        }
        out += "\n## Counts\n\nEach number is reproduced by its SQL against memoryd's database "
        out += "(`memoryd query \"…\"`, or the `memory_query` tool).\n\n"
        out += row(["What", "Count", "SQL"]) + row(["---", "---:", "---"])
        for c in counts { out += row([c.what, String(c.count), "`\(c.sql)`"]) }
        out += "\n## Files\n\n"
        for file in files { out += "- `\(file)`\n" }
        out += "\nChecksums: `MANIFEST.sha256` (check with `sha256sum -c MANIFEST.sha256`).\n"
        return out
    }

    private static func tableExists(_ name: String, on connection: Connection) throws -> Bool {
        try connection.query("SELECT count(*) FROM duckdb_tables() WHERE table_name = \(SQL.literal(name))").rows.first?[0].int64 ?? 0 > 0
    }
}
