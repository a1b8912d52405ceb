import Contracts
import MemoryStore

/// Renders the tracker the way a hand-kept one looks: the milestone table, the milestone
/// dependency matrix (`1` where the row depends on the column) and, when the plan names them,
/// the cross-system matrix and the packets. `markdown` is ready to paste into a document.
enum PlanStatusFormatter {
    enum Style { case text, markdown }

    static func render(_ status: PlanStatus, style: Style) -> String {
        let plan = status.plan
        let milestoneRows = status.milestones.map { m in
            [String(m.milestone.order), "\(m.milestone.id) \(m.milestone.title)", m.milestone.scope, m.milestone.priority,
             m.milestone.dependsOn.isEmpty ? "—" : m.milestone.dependsOn.joined(separator: ", "),
             m.state.rawValue, m.runs.isEmpty ? "—" : m.runs.joined(separator: ", ")]
        }
        let packetRows = status.packets.map { p in
            [p.packet.id, p.packet.milestone, p.packet.priority,
             p.missing.isEmpty ? "—" : p.missing.joined(separator: ", "),
             p.state.rawValue, p.run ?? "—",
             p.evidence.map { "\($0.table) \($0.ref): \($0.detail)" }.joined(separator: "; ")]
        }
        func matrix(_ ids: [String], _ rows: [[Bool]]) -> [[String]] {
            zip(ids, rows).map { id, row in [id] + row.map { $0 ? "1" : "0" } }
        }
        var sections: [String] = []
        sections.append(section("Milestones (plan \(plan.name))", style,
                                ["Order", "Milestone", "Scope", "Priority", "Depends on", "Status", "Proving run"], milestoneRows))
        sections.append(section("Dependency matrix (1: the row depends on the column)", style,
                                ["Milestone"] + plan.milestones.map(\.id), matrix(plan.milestones.map(\.id), status.milestoneMatrix)))
        if !plan.systems.isEmpty {
            sections.append(section("Cross-system dependencies (1: the row depends on the column)", style,
                                    ["System"] + plan.systems.map(\.id), matrix(plan.systems.map(\.id), status.systemMatrix)))
        }
        sections.append(section("Packets", style,
                                ["Packet", "Milestone", "Priority", "Waits for", "Status", "Run", "Evidence"], packetRows))
        return sections.joined(separator: "\n")
    }

    private static func section(_ title: String, _ style: Style, _ header: [String], _ rows: [[String]]) -> String {
        switch style {
        case .markdown:
            func line(_ cells: [String]) -> String {
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
            return "### \(title)\n\n" + line(header) + line(header.map { _ in "---" }) + rows.map(line).joined()
        case .text:
            var widths = header.map(\.count)
            for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            }
            return "\(title)\n" + line(header) + line(widths.map { String(repeating: "-", count: $0) })
                + rows.map(line).joined()
        }
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return String(self[..<end])
    }
}
