import Contracts
import Foundation
import MCP
import MemoryMCP
import MemoryService
import MemoryStore
import Testing

/// The MCP adapter in process (the SDK's own client over an in-memory transport): listing,
/// a call of every tool, and how each kind of refusal reaches the client.
@Suite struct AdapterTests {
    @Test func listsEveryToolWithSchemasTitleAndAllFourHints() async throws {
        let fixture = try MemoryFixture()
        let client = try await fixture.connectedClient()
        let (tools, cursor) = try await client.listTools()
        #expect(cursor == nil)
        #expect(tools.map(\.name) == MemoryService.tools.map(\.name))
        for (listed, tool) in zip(tools, MemoryService.tools) {
            #expect(listed.title == tool.title)
            #expect(listed.description == tool.description)
            #expect(try json(listed.inputSchema) == tool.inputSchema)
            #expect(try listed.outputSchema.map(json) == tool.outputSchema)
            #expect(listed.annotations.title == tool.title)
            #expect(listed.annotations.readOnlyHint == tool.annotations.readOnly)
            #expect(listed.annotations.destructiveHint == tool.annotations.destructive)
            #expect(listed.annotations.idempotentHint == tool.annotations.idempotent)
            #expect(listed.annotations.openWorldHint == false)
        }
    }

    @Test func initializeAdvertisesToolsAndNamesTheServer() async throws {
        let fixture = try MemoryFixture()
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        _ = try await MemoryMCPServer(service: fixture.service, callers: .local).start(on: serverSide)
        let result = try await Client(name: "t", version: "1").connect(transport: clientSide)
        #expect(result.serverInfo.name == "memoryd")
        #expect(result.serverInfo.version == MemoryService.version)
        #expect(result.capabilities.tools != nil)
        #expect(result.instructions?.contains("memory_schema") == true)
        #expect(result.protocolVersion == "2025-11-25")
    }

    /// Every tool once, in an order where each has something to find; every result is the
    /// same JSON in `structuredContent` and in the text, and conforms to the tool's outputSchema.
    @Test func callsEveryToolAndResultsMatchTheirOutputSchema() async throws {
        let fixture = try MemoryFixture()
        try PlanStore.replace(with: Plan(name: "mcp", milestones: [.init(id: "M1", order: 1, title: "One")],
                                         packets: [.init(id: "pkt-mcp", milestone: "M1")]),
                              source: nil, on: fixture.store.connect())
        let client = try await fixture.connectedClient()
        let calls: [(String, [String: Value])] = [
            ("memory_upsert", ["namespace": "prefs", "key": "editor", "value": ["name": "helix", "tabs": 4], "run_id": "run-mcp-1"]),
            ("memory_get", ["namespace": "prefs", "key": "editor", "history": true]),
            ("memory_query", ["sql": "select namespace, key from memories where key = $1", "params": ["editor"]]),
            ("memory_schema", ["table": "spans"]),
            ("memory_health", [:]),
            ("run_summary", ["run_id": "run-mcp-1"]),
            ("find_exceptions", ["since_minutes": 60]),
            ("ops_gate", ["run_id": "run-mcp-1"]),
            ("plan_status", [:]),
            ("packet_status", ["packet_id": "pkt-mcp"]),
            ("memory_search", ["text": "helix"]),
            ("memory_forget", ["namespace": "prefs"]),
        ]
        #expect(Set(calls.map(\.0)) == Set(MemoryService.tools.map(\.name)), "a tool is not called")
        let schemas = try Dictionary(uniqueKeysWithValues: MemoryService.tools.map { tool in
            guard case .object(var schema) = tool.outputSchema else { throw TestFailure("\(tool.name): no output schema") }
            schema["$id"] = .string("test:output:\(tool.name)")
            return (tool.name, try JSONSchema(.object(schema)))
        })
        var results: [String: JSONValue] = [:]
        for (name, arguments) in calls {
            if name == "memory_search" { try await fixture.service.refreshSearchIndex() }
            let result = try await client.call(name, arguments)
            #expect(result.isError != true, "\(name): \(result.text ?? "")")
            let structured = try #require(result.structuredContent, "\(name) has no structuredContent")
            let value = try json(structured)
            #expect(try JSONValue(parsing: #require(result.text)) == value, "\(name): text and structuredContent differ")
            let errors = schemas[name]!.validate(value)
            #expect(errors.isEmpty, "\(name) does not match its outputSchema: \(errors.map(\.description))")
            results[name] = value
        }
        #expect(results["memory_upsert"]?["version"] == 1)
        #expect(results["memory_get"]?["value"] == ["name": "helix", "tabs": 4])
        #expect(results["memory_query"]?["rows"] == [["prefs", "editor"]])
        #expect(results["memory_search"]?["matches"]?.arrayValue?.isEmpty == false)
        #expect(results["memory_forget"]?["facts"] == 1)
    }

    /// The Caller of an MCP call: surface `mcp`, the client's `clientInfo.name`, and the trace
    /// from a `traceparent` in `_meta`.
    @Test func callerIsTheMCPClientWithItsTrace() async throws {
        let fixture = try MemoryFixture()
        let client = try await fixture.connectedClient(named: "claude-desktop-test")
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let written = try await client.call(
            "memory_upsert", ["namespace": "n", "key": "k", "value": "v"],
            meta: Metadata(additionalFields: ["traceparent": .string("00-\(traceID)-00f067aa0ba902b7-01")]))
        #expect(written.isError != true)
        let fact = try json(#require(try await client.call("memory_get", ["namespace": "n", "key": "k"]).structuredContent))
        #expect(fact["surface"] == "mcp")
        #expect(fact["written_by"] == "claude-desktop-test")
        #expect(fact["trace_id"] == .string(traceID))
    }

    @Test(arguments: [
        ("memory_query", ["max_rows": 5] as [String: Value], "sql"),
        ("memory_query", ["sql": "delete from spans"], "only read statements"),
        ("memory_get", ["namespace": "none", "key": "missing"], "no fact none/missing"),
        ("run_summary", ["run_id": "run-that-never-was"], "no run run-that-never-was"),
        ("memory_forget", [:], "needs namespace, key or run_id"),
        ("memory_search", ["text": "x", "since": "yesterday"], "since"),
    ])
    func refusalsAreErrorResultsWithTheMessage(tool: String, arguments: [String: Value], message: String) async throws {
        let fixture = try MemoryFixture()
        let client = try await fixture.connectedClient()
        let result = try await client.call(tool, arguments)
        #expect(result.isError == true)
        #expect(result.structuredContent == nil)
        #expect(result.text?.contains(message) == true, "\(result.text ?? "no text")")
    }

    @Test func aConflictWritesNothingAndSaysSo() async throws {
        let fixture = try MemoryFixture()
        let client = try await fixture.connectedClient()
        _ = try await client.call("memory_upsert", ["namespace": "n", "key": "k", "value": 1])
        let result = try await client.call("memory_upsert", ["namespace": "n", "key": "k", "value": 2, "if_version": 0])
        #expect(result.isError == true)
        #expect(result.text?.contains("nothing was written") == true, "\(result.text ?? "")")
        let fact = try json(#require(try await client.call("memory_get", ["namespace": "n", "key": "k"]).structuredContent))
        #expect(fact["value"] == 1)
    }

    @Test func anUnknownToolIsAnInvalidParamsProtocolError() async throws {
        let fixture = try MemoryFixture()
        let client = try await fixture.connectedClient()
        do {
            let result = try await client.call("memory_teleport", [:])
            Issue.record("expected a JSON-RPC error, got \(result)")
        } catch let error as MCPError {
            #expect(error.code == -32602)
            #expect(error.errorDescription?.contains("unknown tool memory_teleport") == true, "\(error)")
        }
    }

    /// Answers may come back out of order: a slow call does not hold up a quick one.
    @Test func callsRunConcurrently() async throws {
        let fixture = try MemoryFixture()
        let client = try await fixture.connectedClient()
        let slow = try await client.send(CallTool.request(.init(name: "memory_query", arguments: [
            "sql": "select count(*) from range(30000) a, range(30000) b where a.range + b.range = 7", "timeout_ms": 30000,
        ])))
        let slowDone = Task { _ = try await slow.value; return ContinuousClock.now }
        let quick = try await client.call("memory_health")
        let quickDone = ContinuousClock.now
        #expect(quick.isError != true)
        #expect(quickDone < (try await slowDone.value), "the quick call waited for the slow one")
    }
}
