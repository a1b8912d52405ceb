import Contracts
import MemoryService

/// memoryd's agent card: who it is, where its JSON-RPC endpoint is, and one skill per memory
/// operation (`MemoryService.tools`), so the card cannot drift from what `SendMessage` runs.
///
/// The card is in A2A 1.0's shape (`supportedInterfaces`) and also carries 0.3's top-level
/// `url`, `preferredTransport` and `protocolVersion`, as a2a-sdk's own servers do, so clients of
/// either version find the endpoint.
public struct A2AAgentCard: Sendable {
    /// The absolute URL of the JSON-RPC endpoint as clients reach it (`http://host:8787/a2a`).
    public let endpoint: String

    public init(endpoint: String) {
        self.endpoint = endpoint
    }

    public var json: JSONValue {
        let interfaces: [JSONValue] = A2AVersion.allCases.map { version in
            ["url": .string(endpoint), "protocolBinding": "JSONRPC", "protocolVersion": .string(version.rawValue)]
        }
        return [
            "name": "memoryd",
            "description": """
                Agent memory built from telemetry: read-only SQL and text search over the OpenTelemetry runs, \
                logs and events memoryd has stored, run summaries and exceptions, and facts agents write, read \
                and forget. Each skill is one operation: send a data part {"tool": "<skill id>", "arguments": \
                {…}}; a text message is answered with help.
                """,
            "supportedInterfaces": .array(interfaces),
            "version": .string(MemoryService.version),
            "capabilities": ["streaming": false, "pushNotifications": false, "extendedAgentCard": false],
            "defaultInputModes": ["application/json", "text/plain"],
            "defaultOutputModes": .array(A2AOutputMode.offered),
            "skills": .array(MemoryService.tools.map(\.skill)),
            "url": .string(endpoint),
            "preferredTransport": "JSONRPC",
            "protocolVersion": .string(A2AVersion.v0_3.rawValue),
        ]
    }
}
