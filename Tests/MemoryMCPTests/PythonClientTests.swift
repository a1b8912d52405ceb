import Contracts
import Foundation
import MemoryService
import Testing

/// The official Python MCP SDK client (`mcp` in requirements-dev.txt, installed by `make venv`)
/// against the real binary, over stdio and over Streamable HTTP: what an MCP host sees.
/// `Tests/Drivers/mcp_client.py` runs the session; these tests check its summary.
@Suite(.serialized) struct PythonClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python")
    static let driver = root.appendingPathComponent("Tests/Drivers/mcp_client.py")

    @Test func overStdio() async throws {
        let directory = try temporaryDirectory("mcp-python-stdio")
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try await Self.drive(["stdio", Daemon.binary.path, directory.appendingPathComponent("memory.duckdb").path],
                                           in: directory)
        Self.checkSession(summary)
    }

    @Test func overStreamableHTTP() async throws {
        let directory = try temporaryDirectory("mcp-python-http")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await Daemon.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
        let summary: JSONValue
        do {
            summary = try await Self.drive(["http", daemon.mcpURL.absoluteString], in: directory)
        } catch {
            await daemon.stop()
            throw TestFailure("\(error)\ndaemon log:\n\(daemon.log)")
        }
        Self.checkSession(summary)
        #expect(summary["origin"]?["foreign"] == 403, "a foreign Origin must get 403")
        #expect(summary["origin"]?["loopback"] == 200, "a loopback Origin must be served")
        #expect(summary["origin"]?["delete"] == 200, "DELETE must end the session")
        #expect(await daemon.stop() == 0, "the daemon did not stop cleanly after MCP sessions: \(daemon.log)")
    }

    /// What both transports must show: the tools with their hints, every call's JSON (the SDK
    /// already checked it against the outputSchema), the caller, and both kinds of error.
    static func checkSession(_ summary: JSONValue) {
        #expect(summary["server"] == "memoryd")
        #expect(summary["protocol_version"] == "2025-11-25")
        #expect(summary["tools"] == .array(MemoryService.tools.map(\.name).sorted().map(JSONValue.string)))
        for tool in MemoryService.tools {
            let hints = tool.annotations
            #expect(summary["annotations"]?[tool.name] == [.bool(hints.readOnly), .bool(hints.destructive),
                                                           .bool(hints.idempotent), .bool(hints.openWorld)], "\(tool.name)")
        }
        let calls = summary["calls"]
        #expect(calls?["memory_upsert"]?["version"] == 1)
        #expect(calls?["memory_get"]?["written_by"] == "mcp-python-driver", "the principal is the client's name")
        #expect(calls?["memory_get"]?["surface"] == "mcp")
        #expect(calls?["memory_query"]?["rows"] == [["editor", "mcp-python-driver", "mcp"]])
        #expect(calls?["run_summary"]?["run_id"] == "run-mcp-driver-1")
        #expect(calls?["memory_search"]?["matches"]?.arrayValue?.isEmpty == false, "the fact was not found by search")
        #expect(calls?["ops_gate"]?["decision"] == "allow")
        #expect(calls?["plan_status"]?["is_error_text"]?.stringValue?.contains("no plan is loaded") == true)
        #expect(calls?["packet_status"]?["is_error_text"]?.stringValue?.contains("no plan is loaded") == true)
        #expect(calls?["memory_forget"]?["facts"] == 1)
        #expect(summary["is_error_text"]?.stringValue?.contains("no fact driver/editor") == true)
        #expect(summary["unknown_tool_error"]?["code"] == -32602)
    }

    /// Runs the driver with the venv's python; its last stdout line is the summary. A missing
    /// venv or `mcp` package fails the test, saying so.
    static func drive(_ arguments: [String], in directory: URL) async throws -> JSONValue {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestFailure("\(python.path) is missing: run `make venv` (installs requirements-dev.txt, including mcp)")
        }
        let probe = try await run(python, ["-c", "import mcp"], in: directory)
        guard probe.status == 0 else {
            throw TestFailure("the Python `mcp` package is missing from .venv (run `make venv`): \(probe.stderr)")
        }
        let result = try await run(python, [driver.path] + arguments, in: directory, timeout: .seconds(180))
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last else {
            throw TestFailure("mcp_client.py \(arguments.first ?? "") exited \(result.status):\n\(result.stderr)")
        }
        return try JSONValue(parsing: String(line))
    }

    static func run(_ executable: URL, _ arguments: [String], in directory: URL,
                    timeout: Duration = .seconds(30)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = Daemon.environment()
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        async let out = read(stdout.fileHandleForReading)
        async let err = read(stderr.fileHandleForReading)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            throw TestFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return (process.terminationStatus, String(decoding: await out, as: UTF8.self), String(decoding: await err, as: UTF8.self))
    }
}
