import Contracts

/// One operation of the memory service as every surface describes it: MCP lists it as a tool,
/// A2A as a skill, REST serves it at `/v1/tools/<name>`.
public struct Tool: Sendable {
    /// Hints for clients, set truthfully (MCP's tool annotations).
    public struct Annotations: Sendable {
        public var readOnly: Bool
        public var destructive: Bool
        public var idempotent: Bool
        /// False for every memory tool: they touch only memoryd's own store.
        public var openWorld = false
    }

    public let name: String
    public let title: String
    public let description: String
    /// JSON Schema (2020-12) of the arguments object.
    public let inputSchema: JSONValue
    /// JSON Schema of the result object.
    public let outputSchema: JSONValue
    public let annotations: Annotations
}
