import Contracts
import Foundation
import MCP
import MemoryMCP
import MemoryService
import Testing

/// `ops_gate` over MCP (the SDK's client over an in-memory transport): the answer is the same
/// contract JSON, and an unknown run is an `isError` result, never an allow.
@Suite struct GateSurfaceTests {
    private func text(_ content: [MCP.Tool.Content]) -> String {
        content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
    }

    @Test func mcpAnswersPerContractAndUnknownRunIsError() async throws {
        let f = try OpsFixture()
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        _ = try await MemoryMCPServer(service: f.service, callers: .local).start(on: serverSide)
        let client = Client(name: "ops-tests", version: "1.0")
        try await client.connect(transport: clientSide)

        let denied = try await client.callTool(name: "ops_gate", arguments: ["run_id": .string("run-3e7d1bfb-5")])
        #expect(denied.isError != true)
        let answer = try JSONValue(parsing: Data(text(denied.content).utf8))
        try Schemas.expectValid(answer, "opctrl/gate_decision.v1")
        #expect(answer["decision"] == "deny" && answer["reasons"]?.arrayValue?.first?["ref"] == "planner-7-26")

        let unknown = try await client.callTool(name: "ops_gate", arguments: ["run_id": .string("run-nobody")])
        #expect(unknown.isError == true)
        #expect(text(unknown.content).contains("run-nobody"))
        #expect(!text(unknown.content).contains("allow"))
    }
}
