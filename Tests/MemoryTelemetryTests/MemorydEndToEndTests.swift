import Foundation
import HTTPTypes
import HummingbirdTesting
import MemoryTelemetry
import NIOCore
import Testing

/// Against a live `memoryd serve`: what this library sends is stored and correlated, and reads
/// like what the Python logfire SDK sends.
@Suite(.serialized) struct MemorydEndToEndTests {
    struct ToolTimeout: Error, CustomStringConvertible {
        var description: String { "tool timed out" }
    }

    /// The Python SDK's run in the fixtures and this library's, through the same query: each
    /// kind of record (run, stage, log, failed span) fills the columns the Python one fills.
    @Test func libraryAndLogfireSDKDataReadTheSame() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await MemorydProcess.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
            let telemetry = try Telemetry(TelemetryConfiguration(
                serviceName: "dome-planner", destination: .memoryd("http://127.0.0.1:\(server.otlpPort)")))
            try await telemetry.withRun(Run(id: "run-swift-e2e", packetID: "pkt-e2e", agent: "dome-planner")) { _ in
                try await telemetry.withStage("plan") { _ in
                    telemetry.info("plan ready with {n_steps} steps", ["n_steps": 4])
                }
                try await telemetry.withStage("act") { _ in
                    do {
                        try await telemetry.withSpan("tool {tool}", ["tool": "duckdb.materialize"]) { _ in throw ToolTimeout() }
                    } catch {
                        telemetry.warn("tool {tool} failed, will retry", ["tool": "duckdb.materialize"])
                    }
                }
            }
            await telemetry.shutdown()
            for fixture in Self.logfireTraceFixtures {
                let status = try await Self.post(fixture: fixture, port: server.otlpPort)
                #expect(status == 200, "\(fixture)")
            }
            #expect(await server.stop() == 0)

            let query = { (runID: String) in
                """
                select span_name, message, level, kind, duration, is_exception, exception_type, exception_message,
                       otel_status_code, run_id, packet_id, agent, stage, stage_index
                from records where run_id = '\(runID)' order by start_timestamp
                """
            }
            let swift = try await server.query(query("run-swift-e2e"))
            let python = try await server.query(query("run-66ddfe37ea40"))
            #expect(!swift.isEmpty && !python.isEmpty)
            #expect(Set(swift.flatMap(\.keys)) == Set(python.flatMap(\.keys)))

            // For each kind of record, every column the Python SDK's data fills, this library's
            // fills too (it may fill more: the run's correlation is on every span).
            let kinds: [(String, ([String: Any]) -> Bool)] = [
                ("run", { ($0["span_name"] as? String)?.hasPrefix("run ") == true }),
                ("stage", { ($0["stage"] as? String) != nil && ($0["kind"] as? String) == "span" }),
                ("log", { ($0["kind"] as? String) == "log" && ($0["is_exception"] as? Bool) == false }),
                ("failed span", { ($0["is_exception"] as? Bool) == true && ($0["kind"] as? String) == "span" && ($0["stage"] as? String) == nil }),
            ]
            for (kind, matches) in kinds {
                let swiftRows = swift.filter(matches)
                let pythonRows = python.filter(matches)
                #expect(!swiftRows.isEmpty && !pythonRows.isEmpty, "\(kind) rows")
                let filled = { (rows: [[String: Any]]) in Set(rows.flatMap { $0.filter { !($0.value is NSNull) }.keys }) }
                let missing = filled(pythonRows).subtracting(filled(swiftRows))
                #expect(missing.isEmpty, "\(kind): columns only the Python SDK's data fills: \(missing.sorted())")
            }
        }
    }

    /// `memoryd demo` against a daemon: its runs are stored, correlated by `dome.run.id`, stages
    /// in order, the failing stage marked; it prints each run's summary from the memory API; the
    /// standard `OTEL_*` variables override what its code configures; and the console prints
    /// every span, redacted.
    @Test func demoRunsAreQueryableByRunID() async throws {
        try await withTemporaryDirectory { directory in
            let server = try await MemorydProcess.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
            let demo = try await MemorydProcess.run(
                ["demo", "--endpoint", "http://127.0.0.1:\(server.otlpPort)", "--api", "http://127.0.0.1:\(server.apiPort)", "--runs", "3"],
                in: directory, environment: ["OTEL_SERVICE_NAME": "planner-from-env", "MEMORY_TELEMETRY_CONSOLE": "1"])
            #expect(await server.stop() == 0)
            #expect(demo.status == 0, "\(demo.stderr)")
            let runIDs = demo.stdout.split(separator: "\n").compactMap { line in
                line.hasPrefix("run-") ? String(line.prefix { $0 != " " }) : nil
            }
            try #require(runIDs.count == 3, "\(demo.stdout)")
            let console = demo.stderr.split(separator: "\n")
            #expect(console.contains { $0.contains(" info ") && $0.hasSuffix("ms)") && $0.contains("stage plan (") }, "\(demo.stderr)")
            #expect(console.contains { $0.contains(" error ") && $0.contains("stage act (") })
            #expect(console.contains { $0.contains("calling tool http.post with api key [REDACTED:api_key]") })
            #expect(!demo.stderr.contains("sk-live-demo-4242"))

            let rows = try await server.query("""
                select run_id, stage, stage_index, otel_status_code, is_exception
                from records where stage is not null and kind = 'span' order by run_id, stage_index
                """)
            for (index, runID) in runIDs.enumerated() {
                let stages = rows.filter { $0["run_id"] as? String == runID }
                let names = stages.compactMap { $0["stage"] as? String }
                let failing = index == 2
                #expect(names == (failing ? ["plan", "retrieve", "act"] : ["plan", "retrieve", "act", "verify"]), "\(runID)")
                #expect(stages.compactMap { ($0["stage_index"] as? NSNumber)?.intValue } == Array(0 ..< names.count))
                let act = stages.first { $0["stage"] as? String == "act" }
                #expect((act?["is_exception"] as? Bool) == failing, "\(runID)")
                #expect((act?["otel_status_code"] as? String)?.lowercased().contains("error") == failing, "\(runID)")
            }
            let services = try await server.query("select distinct service_name from records where run_id is not null")
            #expect(services.compactMap { $0["service_name"] as? String } == ["planner-from-env"])
        }
    }

    /// A telemetry configuration the demo cannot use is a configuration error: exit 2, one line
    /// naming the variable, before any network call.
    @Test func demoRefusesABadTelemetryConfiguration() async throws {
        try await withTemporaryDirectory { directory in
            let sampler = try await MemorydProcess.run(["demo"], in: directory, environment: ["OTEL_TRACES_SAMPLER": "sometimes"])
            #expect(sampler.status == 2)
            #expect(sampler.stderr.contains("OTEL_TRACES_SAMPLER=sometimes"), "\(sampler.stderr)")
            #expect(sampler.stderr.split(separator: "\n").count == 1, "\(sampler.stderr)")
            let logfire = try await MemorydProcess.run(["demo", "--logfire"], in: directory, environment: ["LOGFIRE_TOKEN": ""])
            #expect(logfire.status == 2)
            #expect(logfire.stderr.contains("LOGFIRE_TOKEN"), "\(logfire.stderr)")
        }
    }

    static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/otlp")

    /// `0*-logfire-*` trace captures.
    static var logfireTraceFixtures: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("0") && $0.contains("-logfire-") && $0.contains("-traces") && !$0.hasSuffix(".json") }.sorted()
    }

    /// POSTs a capture with its recorded content type and encoding; the response status.
    static func post(fixture: String, port: Int) async throws -> Int {
        let body = try Data(contentsOf: fixturesDirectory.appendingPathComponent(fixture))
        var headers = HTTPFields()
        headers[.contentType] = "application/x-protobuf"
        if fixture.hasSuffix(".gz") { headers[.contentEncoding] = "gzip" }
        let request = TestClient.Request("/v1/traces", method: .post, headers: headers, body: ByteBuffer(bytes: body))
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            Int(try await client.execute(request).status.code)
        }
    }

    func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(url)
    }
}
