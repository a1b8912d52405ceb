import Foundation
import TestSupport
import Testing

/// The tracker's verbs as a user runs them: exit codes, one-line reasons, files written.
@Suite struct PlanCommandTests {
    private func memoryd(_ arguments: [String], in directory: URL) async throws -> ChildProcess.Output {
        try await ChildProcess.memoryd(arguments, directory: directory)
    }

    @Test func loadStatusAndExportFromTheCommandLine() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let plan = Fixtures.repository.appendingPathComponent("plans/dome.toml").path
            let clean = Fixtures.envelopes.appendingPathComponent("clean.jsonl").path

            let noPlan = try await memoryd(["plan", "status", "--db", db], in: directory)
            #expect(noPlan.status == 2)

            #expect(try await memoryd(["ingest", "--db", db, clean], in: directory).status == 0)
            let loaded = try await memoryd(["plan", "load", "--db", db, plan], in: directory)
            #expect(loaded.status == 0, "\(loaded.stderr)")
            #expect(loaded.stdout == "loaded plan dome: 4 milestones, 4 packets, 4 systems\n")

            let markdown = try await memoryd(["plan", "status", "--db", db, "--format", "markdown"], in: directory)
            #expect(markdown.status == 0)
            #expect(markdown.stdout.contains("| LM-04 | 0 | 1 | 1 | 0 |"))
            let json = try await memoryd(["plan", "status", "--db", db, "--format", "json"], in: directory)
            #expect(json.stdout.hasPrefix("{\"plan\":\"dome\""))

            let out = directory.appendingPathComponent("evidence").path
            let exported = try await memoryd(["evidence", "export", "LM-01", "--db", db, "--out", out], in: directory)
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(FileManager.default.fileExists(atPath: out + "/MANIFEST.sha256"))

            let unknown = try await memoryd(["evidence", "export", "LM-09", "--db", db, "--out", out], in: directory)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.hasPrefix("memoryd: milestone LM-09 is not in the loaded plan"))

            // The load is audited as a mutating command.
            let audit = try await memoryd(["query", "--db", db, "--format", "csv",
                                     "SELECT operation, target FROM audit_log WHERE surface = 'cli'"], in: directory)
            #expect(audit.stdout.contains("plan load,plan:dome"))
        }
    }

    @Test func aBadPlanExitsTwoWithItsReasonAndChangesNothing() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let good = Fixtures.repository.appendingPathComponent("plans/dome.toml").path
            #expect(try await memoryd(["plan", "load", "--db", db, good], in: directory).status == 0)

            var text = try String(contentsOfFile: good, encoding: .utf8)
            text = text.replacingOccurrences(of: "order = 1\n", with: "order = 1\ndepends_on = [\"LM-04\"]\n")
            let cyclic = directory.appendingPathComponent("cyclic.toml")
            try text.write(to: cyclic, atomically: true, encoding: .utf8)
            let refused = try await memoryd(["plan", "load", "--db", db, cyclic.path], in: directory)
            #expect(refused.status == 2)
            #expect(refused.stderr == "memoryd: \(cyclic.path): milestone dependency cycle: LM-01 → LM-04 → LM-02 → LM-01\n")

            let broken = directory.appendingPathComponent("broken.toml")
            try "name = \"x\"\n[[milestones]\n".write(to: broken, atomically: true, encoding: .utf8)
            let unreadable = try await memoryd(["plan", "load", "--db", db, broken.path], in: directory)
            #expect(unreadable.status == 2)
            #expect(unreadable.stderr.split(separator: "\n").count == 1)

            let status = try await memoryd(["plan", "status", "--db", db, "--format", "json"], in: directory)
            #expect(status.stdout.contains("\"depends_on\":[]"))  // LM-01 still depends on nothing
        }
    }
}
