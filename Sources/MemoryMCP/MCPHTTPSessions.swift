import Foundation
import Logging
import MCP

/// MCP Streamable HTTP (spec 2025-11-25) behind the daemon's `/mcp`, free of any HTTP
/// framework: the route hands over method, headers and body, and writes back the `Reply`.
///
/// An `initialize` POST without `Mcp-Session-Id` opens a session: a fresh MCP `Server` on the
/// SDK's `StatefulHTTPServerTransport` (which holds one session, answers POSTs as SSE streams,
/// GET with the stream for server-initiated messages, DELETE by closing). Later requests are
/// routed by their `Mcp-Session-Id`; an unknown id gets 404, which tells the client to
/// initialize again. `Origin` is checked before anything else (see `OriginPolicy`).
public actor MCPHTTPSessions {
    public struct Configuration: Sendable {
        /// Browser origins allowed besides loopback ones, as `scheme://host[:port]`
        /// (`server.allowed_origins`; default none).
        public var allowedOrigins: [String] = []
        /// A session unused this long is closed; its client gets 404 on its next request and
        /// starts a new one (default 1 hour).
        public var idleTimeout: Duration = .seconds(3600)
        /// Most open sessions (default 256); opening one more closes the least recently used,
        /// so clients that never send DELETE cannot grow memory without bound.
        public var maxSessions = 256

        public init(allowedOrigins: [String] = []) {
            self.allowedOrigins = allowedOrigins
        }
    }

    /// What to answer over HTTP.
    public struct Reply: Sendable {
        public enum Body: Sendable {
            case empty
            case data(Data)
            /// Server-sent events, written as they come; ends when the stream does.
            case stream(AsyncThrowingStream<Data, any Error>)
        }

        public let status: Int
        public let headers: [String: String]
        public let body: Body
        /// A GET stream: it stays open for server-initiated messages, so nothing ends it
        /// but the client or the route (at shutdown).
        public let isStandaloneStream: Bool

        init(_ response: HTTPResponse, standalone: Bool = false) {
            status = response.statusCode
            headers = response.headers
            switch response {
            case .stream(let stream, _): body = .stream(stream)
            default: body = response.bodyData.map(Body.data) ?? .empty
            }
            isStandaloneStream = standalone && status == 200
        }
    }

    private struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        var lastUsed: ContinuousClock.Instant
    }

    /// The transport's own checks, after `Origin`: Accept (JSON and SSE), Content-Type,
    /// `MCP-Protocol-Version`, and that the session id is this transport's.
    private static let pipeline = StandardValidationPipeline(validators: [
        AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(), SessionValidator(),
    ])

    private let server: MemoryMCPServer
    private let configuration: Configuration
    private let origins: OriginPolicy
    private let logger: Logger
    private var sessions: [String: Session] = [:]

    public init(server: MemoryMCPServer, configuration: Configuration = .init(), logger: Logger) {
        self.server = server
        self.configuration = configuration
        origins = OriginPolicy(allowedOrigins: configuration.allowedOrigins)
        self.logger = logger
    }

    /// The number of open sessions.
    public var count: Int { sessions.count }

    public func handle(method: String, headers: [String: String], body: Data?, path: String) async -> Reply {
        let method = method.uppercased()
        let request = HTTPRequest(method: method, headers: headers, body: body, path: path)
        // Before routing, so a foreign page learns nothing, not even whether a session exists.
        if let refusal = origins.validate(request, context: HTTPValidationContext(httpMethod: method)) {
            return Reply(refusal)
        }
        await closeIdleSessions()

        guard let id = request.header(HTTPHeaderName.sessionID) else {
            if method == "POST", let body, Self.isInitialize(body) {
                return await open(request)
            }
            return Reply(.error(statusCode: 400, .invalidRequest("Bad Request: Missing \(HTTPHeaderName.sessionID) header")))
        }
        guard var session = sessions[id] else {
            return Reply(.error(statusCode: 404, .invalidRequest("Not Found: unknown or expired session; initialize a new one")))
        }
        session.lastUsed = .now
        sessions[id] = session
        let response = await session.transport.handleRequest(request)
        if method == "DELETE" && response.statusCode == 200 {
            await close(id)
        }
        return Reply(response, standalone: method == "GET")
    }

    /// Opens a session for an `initialize` request and answers it.
    private func open(_ request: HTTPRequest) async -> Reply {
        if sessions.count >= configuration.maxSessions,
           let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            logger.notice("closing the least recently used MCP session", metadata: ["max_sessions": "\(configuration.maxSessions)"])
            await close(oldest)
        }
        let id = Self.newSessionID()
        let transport = StatefulHTTPServerTransport(
            sessionIDGenerator: FixedSessionID(id: id), validationPipeline: Self.pipeline, logger: logger)
        let mcp: Server
        do {
            mcp = try await server.start(on: transport)
        } catch {
            await transport.disconnect()
            return Reply(.error(statusCode: 500, .internalError("cannot open an MCP session: \(error)")))
        }
        sessions[id] = Session(server: mcp, transport: transport, lastUsed: .now)
        let response = await transport.handleRequest(request)
        if case .error = response {
            await close(id)
        }
        return Reply(response)
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    private func closeIdleSessions() async {
        let cutoff = ContinuousClock.now - configuration.idleTimeout
        for (id, session) in sessions where session.lastUsed < cutoff {
            logger.info("closing an idle MCP session", metadata: ["session": "\(id)"])
            await close(id)
        }
    }

    private static func isInitialize(_ body: Data) -> Bool {
        guard let message = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return message["method"] as? String == "initialize" && message["id"] != nil
    }

    /// 256 random bits as hex: the id is the only thing that binds a request to its session,
    /// so it must not be guessable (the system generator is a CSPRNG).
    private static func newSessionID() -> String {
        (0..<4).map { _ in
            let hex = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// Hands the transport the id `MCPHTTPSessions` registered the session under.
private struct FixedSessionID: SessionIDGenerator {
    let id: String
    func generateSessionID() -> String { id }
}
