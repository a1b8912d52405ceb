import Contracts
import MemoryService

extension A2ADispatcher {
    /// The answer to a message without an operation: how to call one, and every operation
    /// with its title and (in JSON mode) its argument schema and an example.
    func help(contextID: String, output: A2AOutputMode) -> A2AMessage {
        let lines = MemoryService.tools.map { tool in
            "- \(tool.name): \(tool.title). Example: \(tool.exampleRequest.jsonText)"
        }
        let text = """
            memoryd is agent memory built from telemetry. Each skill is one memory operation; run it by sending \
            a message with a data part {"tool": "<operation>", "arguments": {…}}. The arguments follow the \
            operation's JSON Schema (in the agent card's skill descriptions\(output == .json ? " and in this reply's data part" : "")). \
            The answer is a task: completed with the result as an artifact, or failed with the error as its status message.

            Operations:
            \(lines.joined(separator: "\n"))
            """
        var parts: [A2AMessage.Part] = [.text(text)]
        if output == .json {
            parts.append(.data(["tools": .array(MemoryService.tools.map { tool in
                ["name": .string(tool.name), "title": .string(tool.title), "description": .string(tool.description),
                 "inputSchema": tool.inputSchema, "example": tool.exampleRequest]
            })]))
        }
        return A2AMessage(messageID: Self.newID(), role: .agent, parts: parts, taskID: nil, contextID: contextID)
    }
}
