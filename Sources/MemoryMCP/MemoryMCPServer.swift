import Contracts
import Logging
import MCP
import MemoryService

/// The memory tools as an MCP server: `tools/list` comes from `MemoryService.tools`,
/// `tools/call` goes through `MemoryService.call`, nothing else is decided here. Every client
/// gets a `Server` of its own (the stdio connection, or one Streamable HTTP session), because
/// an MCP `Server` holds one client's initialization state.
public struct MemoryMCPServer: Sendable {
    /// What the server tells clients about itself in `initialize`.
    public struct Configuration: Sendable {
        /// `serverInfo.name` (default `memoryd`).
        public var name = "memoryd"
        /// `serverInfo.version` (default `MemoryService.version`).
        public var version = MemoryService.version
        /// `serverInfo.title` (default "memoryd agent memory").
        public var title = "memoryd agent memory"
        /// `instructions`: hosts may show them to the model, so they say where to start.
        public var instructions = """
            Agent memory built from OpenTelemetry: spans, logs, events and facts in DuckDB. \
            memory_schema lists the tables; memory_search finds text; memory_query runs read-only SQL; \
            run_summary and find_exceptions summarize runs and failures; memory_upsert, memory_get and \
            memory_forget keep facts. Results are JSON (structuredContent, and the same text in content).
            """

        public init() {}
    }

    /// Who a server's clients are, said by whoever starts it (never guessed from a missing
    /// identity, which on HTTP may only mean the SDK lost the request's context).
    public enum Callers: Sendable {
        /// The stdio connection: the local user, with every scope.
        case local
        /// Streamable HTTP: the auth middleware names each call's caller in the
        /// `x-memoryd-caller` header. When tokens are configured (`authenticated`), a call
        /// without it has no scope and is refused; without tokens every caller is local.
        case http(authenticated: Bool)
    }

    let service: MemoryService
    let callers: Callers
    let configuration: Configuration

    public init(service: MemoryService, callers: Callers, configuration: Configuration = .init()) {
        self.service = service
        self.callers = callers
        self.configuration = configuration
    }

    /// The identity of a call; nil: the local user.
    static func identity(_ callers: Callers, header: String?) -> CallerIdentity? {
        switch callers {
        case .local, .http(authenticated: false): nil
        case .http(authenticated: true): CallerIdentity(header: header) ?? CallerIdentity(actor: "unauthenticated", scopes: [])
        }
    }

    /// Builds a server for one client, registers the tool handlers (before `start`, as the SDK
    /// requires) and starts it on `transport`. The client's `clientInfo.name` from `initialize`
    /// becomes the principal of its calls.
    public func start(on transport: any Transport) async throws -> Server {
        let server = Server(
            name: configuration.name, version: configuration.version, title: configuration.title,
            instructions: configuration.instructions,
            capabilities: .init(tools: .init(listChanged: false)))
        let client = ClientName()
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: Self.tools)
        }
        await server.withMethodHandler(CallTool.self) { [service, callers] params in
            let http = Server.currentHandlerContext?.httpContext
            // Over HTTP the auth middleware names the caller in a header (the handler runs in
            // the session's task, not the request's).
            let caller = Caller(surface: .mcp, principal: client.value, traceID: TraceParent.traceID(of: params, http: http),
                                identity: Self.identity(callers, header: http?.header(CallerIdentity.headerName)))
            return try await Self.call(params, on: service, caller: caller)
        }
        try await server.start(transport: transport) { info, _ in
            client.value = info.name
        }
        return server
    }
}
