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

    public init(surface: Surface, principal: String? = nil, traceID: String? = nil) {
        self.surface = surface
        self.principal = principal
        self.traceID = traceID
    }
}
