import Contracts
import MemoryService

extension Tool {
    /// The tool as an A2A skill: the id is the tool's name (what a data part names), and the
    /// description carries the arguments' JSON Schema, since a skill has no schema field.
    var skill: JSONValue {
        var tags: [JSONValue] = ["memory", annotations.readOnly ? "read-only" : "write"]
        if annotations.destructive { tags.append("destructive") }
        return [
            "id": .string(name),
            "name": .string(title),
            "description": .string("""
                \(description)
                Call it with a data part {"tool": "\(name)", "arguments": {…}}; the arguments follow this JSON Schema: \
                \(inputSchema.jsonText)
                """),
            "tags": .array(tags),
            "examples": [.string(exampleRequest.jsonText)],
            "inputModes": ["application/json"],
            "outputModes": .array(A2AOutputMode.offered),
        ]
    }

    /// A data part's content that calls the tool: its required arguments with placeholder
    /// values of the right type (`"<key>"`, `1`, `{}`), so the example passes the schema's
    /// shape and shows which members must be filled in.
    var exampleRequest: JSONValue {
        var arguments = JSONObject()
        let properties = inputSchema["properties"]?.objectValue ?? JSONObject()
        for case .string(let required) in inputSchema["required"]?.arrayValue ?? [] {
            arguments[required] = switch properties[required]?["type"]?.stringValue {
            case "string": .string("<\(required)>")
            case "integer", "number": properties[required]?["minimum"] ?? 1
            case "boolean": true
            case "array": []
            default: [:]
            }
        }
        return ["tool": .string(name), "arguments": .object(arguments)]
    }
}
