import Contracts
import MemoryService
import Testing

@testable import MemoryA2A

@Suite struct AgentCardTests {
    let card = A2AAgentCard(endpoint: "http://memory.example:8787/a2a").json

    @Test func identifiesMemoryd() {
        #expect(card["name"] == "memoryd")
        #expect(card["version"] == .string(MemoryService.version))
        #expect(card["description"]?.stringValue?.contains(#"{"tool": "<skill id>""#) == true)
    }

    /// 1.0 clients read `supportedInterfaces` and prefer the 1.0 entry; 0.3 clients read the
    /// top-level `url`.
    @Test func namesTheEndpointForBothProtocolVersions() {
        #expect(card["supportedInterfaces"] == [
            ["url": "http://memory.example:8787/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"],
            ["url": "http://memory.example:8787/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "0.3"],
        ])
        #expect(card["url"] == "http://memory.example:8787/a2a")
        #expect(card["preferredTransport"] == "JSONRPC")
        #expect(card["protocolVersion"] == "0.3")
    }

    @Test func declaresWhatIsNotSupported() {
        #expect(card["capabilities"] == ["streaming": false, "pushNotifications": false, "extendedAgentCard": false])
        #expect(card["defaultInputModes"] == ["application/json", "text/plain"])
        #expect(card["defaultOutputModes"] == ["application/json", "text/plain"])
    }

    @Test func hasOneSkillPerOperation() throws {
        let skills = try #require(card["skills"]?.arrayValue)
        #expect(skills.compactMap { $0["id"]?.stringValue } == MemoryService.tools.map(\.name))
        for (skill, tool) in zip(skills, MemoryService.tools) {
            #expect(skill["name"] == .string(tool.title))
            let description = try #require(skill["description"]?.stringValue)
            #expect(description.hasPrefix(tool.description))
            #expect(description.contains(tool.inputSchema.jsonText), "the skill carries its argument schema")
            #expect(skill["tags"]?.arrayValue?.contains(tool.annotations.readOnly ? "read-only" : "write") == true)
            #expect(skill["inputModes"] == ["application/json"])
        }
    }

    /// Each example is a data part's content that names its skill and fills every required
    /// argument, with a placeholder of the schema's type.
    @Test func examplesNameTheSkillAndItsRequiredArguments() throws {
        for (skill, tool) in zip(try #require(card["skills"]?.arrayValue), MemoryService.tools) {
            let example = try JSONValue(parsing: try #require(skill["examples"]?[0]?.stringValue))
            #expect(example["tool"] == .string(tool.name))
            let arguments = try #require(example["arguments"]?.objectValue)
            let required = (tool.inputSchema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(Set(arguments.keys) == Set(required), "\(tool.name)")
        }
        let get = try #require(MemoryService.tools.first { $0.name == "memory_get" })
        #expect(get.exampleRequest == ["tool": "memory_get", "arguments": ["namespace": "<namespace>", "key": "<key>"]])
    }
}
