import Crypto
import DuckDB
import Foundation
import MemoryService
import MemoryStore
import Testing
@testable import memoryd

@Suite struct EvidenceExportTests {
    private func export(_ fixture: TrackerFixture, _ milestone: String, to name: String) throws -> (URL, EvidenceExport.Result) {
        let out = fixture.directory.appendingPathComponent(name)
        let store = try Store(path: fixture.databasePath, threads: 1)
        let result = try EvidenceExport.export(milestone, status: try fixture.status(), to: out, on: store.connect())
        return (out, result)
    }

    @Test func exportingTwiceGivesIdenticalFilesAndAManifestThatChecks() throws {
        let fixture = try PlanStatusTests.scenario()
        let (first, result) = try export(fixture, "M1", to: "first")
        let (second, _) = try export(fixture, "M1", to: "second")
        #expect(result.state == .failed)
        #expect(result.runs == ["run-a1", "run-b1"])
        let names = try FileManager.default.contentsOfDirectory(atPath: first.path).sorted()
        #expect(names.contains("spans.parquet") && names.contains("state_transitions.parquet")
                && names.contains("guard_outcomes.parquet") && names.contains("README.md") && names.contains("MANIFEST.sha256"))
        for name in names {
            let a = try Data(contentsOf: first.appendingPathComponent(name))
            let b = try Data(contentsOf: second.appendingPathComponent(name))
            #expect(a == b, "\(name) differs between two exports")
        }
        // The manifest lists every other file with its real SHA-256.
        let manifest = try String(contentsOf: first.appendingPathComponent("MANIFEST.sha256"), encoding: .utf8)
        let lines = manifest.split(separator: "\n")
        #expect(lines.count == names.count - 1)
        for line in lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            let data = try Data(contentsOf: first.appendingPathComponent(String(parts[1])))
            #expect(String(parts[0]) == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
        }
    }

    @Test func theParquetHoldsTheRunsRowsAndTheReadmeTheSQLForEachCount() throws {
        let fixture = try PlanStatusTests.scenario()
        let (out, _) = try export(fixture, "M1", to: "m1")
        let connection = try fixture.connection()
        let transitions = try connection.query(
            "SELECT count(*) FROM read_parquet('\(out.appendingPathComponent("state_transitions.parquet").path)')").rows[0][0].int64
        let stored = try connection.query(
            "SELECT count(*) FROM state_transitions WHERE run_id IN ('run-a1', 'run-b1')").rows[0][0].int64
        #expect(transitions == stored)
        #expect(transitions == 7)
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.hasPrefix("# Evidence: M1 First"))
        #expect(readme.contains("**failed**"))
        #expect(readme.contains("| state transitions | 7 | `SELECT count(*) FROM state_transitions WHERE run_id IN ('run-a1', 'run-b1')` |"))
        // Each count's SQL gives its number on the live store.
        for line in readme.split(separator: "\n") where line.hasPrefix("| ") && line.contains("`SELECT count(*)") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(cells.count == 3)
            let sql = cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            #expect(try connection.query(sql).rows[0][0].int64 == Int64(cells[1]), "\(sql)")
        }
    }

    @Test func auditRowsOfThePacketsAndRunsAreIncluded() async throws {
        let fixture = try PlanStatusTests.scenario()
        let service = try fixture.service(audit: AuditLog(store: fixture.store))
        _ = try await service.call("packet_status", arguments: ["packet_id": "pkt-a"], caller: Caller(surface: .rest))
        _ = try await service.call("ops_gate", arguments: ["run_id": "run-b1"], caller: Caller(surface: .mcp))
        _ = try await service.call("ops_gate", arguments: ["run_id": "run-d1"], caller: Caller(surface: .mcp))  // M3's run
        let (out, _) = try export(fixture, "M1", to: "audited")
        // The service locked the fixture's handle down for untrusted SQL; read with the exporter's.
        let rows = try Store(path: fixture.databasePath, threads: 1).connect().query("""
            SELECT operation, target FROM read_parquet('\(out.appendingPathComponent("audit_log.parquet").path)') ORDER BY seq
            """).rows.map { "\($0[0].string ?? "") \($0[1].string ?? "")" }
        #expect(rows == ["packet_status packet:pkt-a", "ops_gate run:run-b1"])
    }

    @Test func anUnknownMilestoneIsNamed() throws {
        let fixture = try PlanStatusTests.scenario()
        let error = try #require(throws: EvidenceExport.UnknownMilestone.self) { try export(fixture, "LM-99", to: "x") }
        #expect(error.description.hasPrefix("milestone LM-99 is not in the loaded plan"))
    }
}
