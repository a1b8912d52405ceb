import Contracts
import MCP
import MemoryService

extension MemoryMCPServer {
    /// The memory tools in MCP's terms: schemas, title, and all four hints spelled out (MCP's
    /// defaults for missing hints are the cautious ones, e.g. `openWorldHint: true`, which
    /// would misdescribe tools that only touch memoryd's own store).
    static let tools: [MCP.Tool] = MemoryService.tools.map { tool in
        MCP.Tool(
            name: tool.name, title: tool.title, description: tool.description,
            inputSchema: Value(json: tool.inputSchema),
            annotations: .init(title: tool.title, readOnlyHint: tool.annotations.readOnly,
                               destructiveHint: tool.annotations.destructive,
                               idempotentHint: tool.annotations.idempotent,
                               openWorldHint: tool.annotations.openWorld),
            outputSchema: Value(json: tool.outputSchema))
    }

    /// One `tools/call`. A result carries the JSON object as `structuredContent` and, for
    /// clients that read only `content`, the same JSON as text. A refused or failed call is a
    /// result with `isError: true` and the service's message, so the model sees why; only an
    /// unknown tool is a protocol error (-32602, as the 2025-11-25 spec shows for unknown tools).
    static func call(_ params: CallTool.Parameters, on service: MemoryService, caller: Caller) async throws -> CallTool.Result {
        let arguments = JSONValue(mcp: .object(params.arguments ?? [:]))
        let result: JSONValue
        do throws(MemoryServiceError) {
            result = try await service.call(params.name, arguments: arguments, caller: caller)
        } catch where error.isUnknownTool {
            throw MCPError.invalidParams(error.message)
        } catch {
            // No structuredContent here: clients check it against the tool's outputSchema.
            return CallTool.Result(content: [.text(text: error.message, annotations: nil, _meta: nil)], isError: true)
        }
        let structured: Value? = Value(json: result)
        return CallTool.Result(content: [.text(text: result.jsonText, annotations: nil, _meta: nil)],
                               structuredContent: structured)
    }
}
