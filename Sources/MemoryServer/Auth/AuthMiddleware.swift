import HTTPTypes
import Hummingbird
import MemoryIngest
import MemoryService
import MemoryStore
import NIOCore

/// Checks `Authorization: Bearer <token>` on every request of a listener when tokens are
/// configured: 401 without a known token, 403 without the path's scope, 429 with
/// `Retry-After` over the token's rate. The caller's identity then rides with the request:
/// as `Caller.authenticated` for handlers in the request's task (REST, A2A) and as the
/// `x-memoryd-caller` header for MCP sessions, whose handlers run in the session's task.
/// That header is always removed from incoming requests, so a client cannot claim an identity.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// Which listener: OTLP answers in the request's encoding (google.rpc.Status), the API port in JSON.
    enum Listener: Sendable { case otlp, api }

    static let callerHeader = HTTPField.Name(CallerIdentity.headerName)!

    let configuration: AuthConfiguration
    let listener: Listener
    let limiter: RateLimiter
    private let tokens: [String: AuthConfiguration.Token]

    init(configuration: AuthConfiguration, listener: Listener, limiter: RateLimiter) {
        self.configuration = configuration
        self.listener = listener
        self.limiter = limiter
        tokens = Dictionary(configuration.tokens.map { ($0.sha256.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let request = Self.request(request, callerHeader: nil)
        guard configuration.isEnabled, let scope = Self.requiredScope(path: request.uri.path, listener: listener) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            return refusal(.unauthorized, request, "missing Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let token = tokens[AuditDigest.sha256Hex(parts[1].trimmingCharacters(in: .whitespaces))] else {
            return refusal(.unauthorized, request, "unknown or malformed bearer token")
        }
        let identity = CallerIdentity(actor: token.id, scopes: token.scopes)
        guard scope.contains(where: identity.allows) else {
            let names = scope.map(\.rawValue).sorted().joined(separator: " or ")
            return refusal(.forbidden, request, "token \(token.id) lacks the \(names) scope this path needs")
        }
        if let rate = token.ratePerSecond,
           let wait = limiter.take(token.id, rate: rate, burst: token.burst ?? max(1, Int(rate.rounded(.up)))) {
            return refusal(.tooManyRequests, request, "token \(token.id) is over its rate of \(rate) requests per second",
                           retryAfter: wait)
        }
        let authenticated = Self.request(request, callerHeader: identity.headerValue)
        return try await Caller.$authenticated.withValue(identity) {
            try await next(authenticated, context)
        }
    }

    /// `request` with the caller header set to `value` (nil: removed); the same request when
    /// nothing changes.
    private static func request(_ request: Request, callerHeader value: String?) -> Request {
        guard value != nil || request.headers[callerHeader] != nil else { return request }
        var head = request.head
        head.headerFields[callerHeader] = value
        return Request(head: head, body: request.body)
    }

    /// The scopes of which a request needs one, by listener and path; nil: open to anyone
    /// (liveness, readiness, the A2A agent card, which clients read before they authenticate).
    static func requiredScope(path: String, listener: Listener) -> Set<AccessScope>? {
        if listener == .otlp { return [.ingest] }
        // The router ignores empty components (`//v1/holds/x`, `/v1/events/` reach the same
        // handlers), so the path is matched in that same form.
        let path = "/" + path.split(separator: "/").joined(separator: "/")
        switch path {
        case "/healthz", "/readyz", "/.well-known/agent-card.json": return nil
        case "/v1/events": return [.ingest]
        case "/mcp", "/a2a": return [.read, .write]
        case _ where path.hasPrefix("/v1/holds"): return [.admin]
        default:
            // Memory tools check their own scope (read or write) when called.
            if path.hasPrefix("/v1/tools") || path.hasPrefix("/v1/memories") { return [.read, .write] }
            return [.read]
        }
    }

    private func refusal(_ status: HTTPResponse.Status, _ request: Request, _ message: String, retryAfter: Int? = nil) -> Response {
        var headers = HTTPFields()
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="memoryd""# }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let code = status == .unauthorized ? "unauthorized" : status == .forbidden ? "forbidden" : "rate_limited"
        if listener == .otlp {
            // OTLP/HTTP answers errors with a google.rpc.Status in the request's encoding.
            let type = request.headers[.contentType]?.lowercased() ?? ""
            let encoding: OTLPReceiver.Encoding = type.contains("protobuf") ? .protobuf : .json
            let grpc: Int32 = status == .unauthorized ? 16 : status == .forbidden ? 7 : 8
            headers[.contentType] = encoding == .protobuf ? "application/x-protobuf" : "application/json"
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(
                bytes: OTLPReceiver.status(code: grpc, message: message, encoding: encoding))))
        }
        var response = RESTRoutes.error(status, code: code, message: message)
        for field in headers { response.headers.append(field) }
        return response
    }
}
