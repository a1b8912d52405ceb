import Contracts
import Foundation
import MemoryService
import Testing
import TestSupport

/// The a2a-sdk Python client (the version pinned in requirements-dev.txt) against the real
/// `memoryd serve`: card resolution, SendMessage with data parts, GetTask, CancelTask, text,
/// a failing call, and the SDK's A2A 0.3 transport. `Tests/Drivers/a2a_client.py` checks each
/// step as it goes and reports what it saw; this test checks the report.
@Suite(.serialized) struct PythonClientTests {
    @Test(.timeLimit(.minutes(5))) func a2aSDKClientAgainstMemoryd() async throws {
        try await PythonDriver.require(module: "a2a.client", package: "a2a-sdk")
        try await TemporaryDirectory.with { directory in
            let server = try await TestServer.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
            let base = "http://127.0.0.1:\(server.apiPort)"
            let run = try await PythonDriver.run(script: "a2a_client.py", arguments: [base], in: directory)
            let termination = await server.stop()
            try #require(run.status == 0, "driver exited \(run.status):\n\(run.stderr)\nserver log:\n\(server.log)")
            #expect(termination == .init(status: 0, bySignal: false))
            let seen = try JSONValue(parsing: run.stdout)

            let endpoint = JSONValue.string("\(base)/a2a")
            #expect(seen["card"]?["name"] == "memoryd")
            #expect(seen["card"]?["version"] == .string(MemoryService.version))
            #expect(seen["card"]?["interfaces"] == [[endpoint, "JSONRPC", "1.0"], [endpoint, "JSONRPC", "0.3"]])
            #expect(seen["card"]?["skills"] == .array(MemoryService.tools.map { .string($0.name) }))
            #expect(seen["card"]?["streaming"] == false)
            #expect(seen["card_url_for_other_host"] == "http://memory.example:9999/a2a")
            #expect(seen["parse_error"] == ["status": 200, "code": -32700])
            #expect(seen["notification"] == ["status": 204, "body": ""])

            #expect(seen["upsert"]?["version"] == 1)
            #expect(seen["get"]?["value"] == ["mode": "dark", "size": 3])
            #expect(seen["stored_size_type"] == "UBIGINT", "a whole number sent as a protobuf double is stored as an integer")
            #expect(seen["get"]?["version"] == 1)
            #expect(seen["query"]?["rows"] == [["a2a-driver", "theme", "a2a"]])
            #expect(seen["get_task"] == ["state": "TASK_STATE_COMPLETED", "same_artifacts": true])
            #expect(seen["cancel"] == "TaskNotCancelableError")
            #expect(seen["unknown_task"] == "TaskNotFoundError")

            #expect(seen["help"]?["role"] == "ROLE_AGENT")
            #expect(seen["help"]?["tools"] == .array(MemoryService.tools.map { .string($0.name) }))
            #expect(seen["help"]?["text"]?.stringValue?.contains("memory_query") == true)

            #expect(seen["failed"]?["state"] == "TASK_STATE_FAILED")
            #expect(seen["failed"]?["error"]?["code"] == "invalid_arguments")
            #expect(seen["failed"]?["text"]?.stringValue?.hasPrefix("memory_get failed (invalid_arguments): ") == true)

            #expect(seen["v0_3"]?["transport"] == "CompatJsonRpcTransport")
            #expect(seen["v0_3"]?["get"]?["value"] == ["mode": "dark", "size": 3])
            #expect(seen["v0_3"]?["get_task"] == "TASK_STATE_COMPLETED")
        }
    }
}
