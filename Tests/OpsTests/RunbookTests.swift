import Contracts
import DuckDB
import Foundation
import MemoryStore
import Testing

/// `runbooks/` has a page for every runbook of the reason-code registry, each with what the
/// code means, the evidence queries and the steps, and every evidence query runs on memoryd's
/// schema as it is.
@Suite struct RunbookTests {
    /// runbook id → page, from the pinned registry files (xtrlv2's and memoryd's own).
    private func registryRunbooks() throws -> [(id: String, link: String, codes: [String])] {
        var out: [(String, String, [String])] = []
        for file in ["xtrlv2/reason_codes.v1.json"] {
            let json = try JSONValue(parsing: Data(contentsOf: ContractRegistry.pinnedDirectory.appendingPathComponent(file)))
            let codes = json["codes"]?.arrayValue ?? []
            for (id, link) in json["runbooks"]?.objectValue ?? JSONObject() {
                let using = codes.filter { $0["runbook"]?.stringValue == id }.compactMap { $0["code"]?.stringValue }
                out.append((id, link.stringValue ?? "", using))
            }
        }
        return out
    }

    private func page(_ link: String) throws -> String {
        try String(contentsOf: Paths.repository.appendingPathComponent(link), encoding: .utf8)
    }

    @Test func everyRegistryRunbookHasAPage() throws {
        let runbooks = try registryRunbooks()
        #expect(runbooks.count == 12)
        // Every runbook any loaded registry names (memoryd's own codes included) has its page.
        for code in try ContractRegistry.pinned().reasonCodes.codes {
            guard let runbook = code.runbook else { continue }
            #expect(FileManager.default.fileExists(atPath: Paths.repository.appendingPathComponent(runbook.link).path),
                    "\(code.code): \(runbook.link) is missing")
        }
        for runbook in runbooks {
            let text = try page(runbook.link)
            #expect(text.hasPrefix("# \(runbook.id)"), "\(runbook.link) must start with its id")
            for code in runbook.codes { #expect(text.contains(code), "\(runbook.link) does not name \(code)") }
            for heading in ["## Meaning", "## Evidence", "## Steps"] {
                #expect(text.contains("\n\(heading)\n"), "\(runbook.link) lacks \(heading)")
            }
            #expect(text.contains("```sql"), "\(runbook.link) has no evidence query")
        }
    }

    @Test func evidenceQueriesRunOnTheSchema() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbooks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
        let connection = try store.connect()
        var checked = 0
        for runbook in try registryRunbooks() {
            let text = try page(runbook.link)
            for block in text.components(separatedBy: "```sql\n").dropFirst() {
                guard let end = block.range(of: "\n```") else { continue }
                let sql = String(block[..<end.lowerBound]).replacingOccurrences(of: "<run_id>", with: "run-x")
                do {
                    _ = try Store.withReadOnlyStatement(sql, parameters: [], on: connection) { try $0.query() }
                    checked += 1
                } catch {
                    Issue.record("\(runbook.link): \(error)\n\(sql)")
                }
            }
        }
        #expect(checked >= 24)
    }
}
