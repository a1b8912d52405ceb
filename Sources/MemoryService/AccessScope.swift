/// What a caller may do. Tokens in `[auth]` carry a set of these; `admin` implies the others.
public enum AccessScope: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Send telemetry and envelopes (OTLP, `POST /v1/events`).
    case ingest
    /// Read-only memory tools (query, search, get, health, schema, run summary, exceptions), metrics.
    case read
    /// Memory tools that change facts (`memory_upsert`, `memory_forget`).
    case write
    /// Everything.
    case admin

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// An authenticated caller: the token's id and scopes. HTTP surfaces set it for the request's
/// task (`Caller.$authenticated`), so every `Caller` made while handling it carries it.
public struct CallerIdentity: Sendable, Equatable {
    public var actor: String
    public var scopes: Set<AccessScope>

    public init(actor: String, scopes: Set<AccessScope>) {
        self.actor = actor
        self.scopes = scopes
    }

    public func allows(_ scope: AccessScope) -> Bool { scopes.contains(.admin) || scopes.contains(scope) }

    /// The header that carries an authenticated identity from the HTTP layer to MCP sessions,
    /// whose tool handlers run outside the request's task. The server removes it from every
    /// incoming request before setting it.
    public static let headerName = "x-memoryd-caller"

    /// `<id>;<scope>,<scope>`.
    public var headerValue: String {
        actor + ";" + scopes.map(\.rawValue).sorted().joined(separator: ",")
    }

    /// Reads `headerValue`; nil for nil or malformed text.
    public init?(header: String?) {
        guard let header, let split = header.firstIndex(of: ";") else { return nil }
        actor = String(header[..<split])
        scopes = Set(header[header.index(after: split)...].split(separator: ",").compactMap { AccessScope(rawValue: String($0)) })
        guard !actor.isEmpty else { return nil }
    }
}
