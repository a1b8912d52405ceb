/// Who is calling and through which surface: recorded with every fact written and (with the
/// audit log) every call.
public struct Caller: Sendable, Equatable {
    public enum Surface: String, Sendable {
        case mcp, a2a, rest, cli, envelope
    }

    public var surface: Surface
    /// The client's own name where the protocol carries one (MCP `clientInfo`, a REST header).
    public var principal: String?
    /// The trace of the request, when the client propagated one (W3C `traceparent`).
    public var traceID: String?
    /// Who answers for the call in the audit log: the token's id, or `local` (stdio MCP, the
    /// CLI, HTTP with no tokens configured).
    public var actor: String
    /// What the caller may do; nil: everything (a local caller).
    public var scopes: Set<AccessScope>?

    /// `identity` defaults to the task's authenticated caller (`Caller.authenticated`), else local.
    public init(surface: Surface, principal: String? = nil, traceID: String? = nil,
                identity: CallerIdentity? = Caller.authenticated) {
        self.surface = surface
        self.principal = principal
        self.traceID = traceID
        actor = identity?.actor ?? "local"
        scopes = identity?.scopes
    }

    /// The caller an HTTP surface authenticated for the request being handled.
    @TaskLocal public static var authenticated: CallerIdentity?
}
