import Contracts
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The HTTP side of `StdioRelay`: one MCP session at the daemon's `/mcp`, each client message
/// POSTed as is, the answers (an SSE body or JSON) handed back as messages for stdout.
///
/// memoryd never sends server-initiated messages (no list changes, no logging), so the
/// optional GET stream is not opened; every answer arrives on its POST.
actor RelayConnection {
    /// One line from the client, with what routing needs.
    struct Message: Sendable {
        let body: Data
        /// The JSON-RPC id of a request (nil for notifications and responses).
        let id: JSONValue?
        let method: String?

        init(_ body: Data) {
            self.body = body
            let parsed = try? JSONValue(parsing: body)
            method = parsed?["method"]?.stringValue
            id = method == nil ? nil : parsed?["id"]
        }

        var isInitialize: Bool { method == "initialize" && id != nil }
    }

    private struct Reply {
        let status: Int
        let contentType: String
        let sessionID: String?
        let body: Data
    }

    let endpoint: URL
    private let http: URLSession
    private let logger: Logger
    private var sessionID: String?
    private var protocolVersion: String?
    /// The client's `initialize`, replayed when the daemon forgot the session (it restarted).
    private var initialize: Data?
    private var renewal: (stale: String, task: Task<Void, any Error>)?

    init(endpoint: URL, requestTimeout: Duration, bearerToken: String? = nil, logger: Logger) {
        self.endpoint = endpoint
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Double(requestTimeout.components.seconds)
        if let bearerToken { configuration.httpAdditionalHeaders = ["Authorization": "Bearer \(bearerToken)"] }
        http = URLSession(configuration: configuration)
        self.logger = logger
    }

    /// Sends one client message; returns the messages to write to the client. A daemon that
    /// cannot be reached or refuses the request still yields an answer for a request (a
    /// JSON-RPC error naming the cause), so the client never waits for nothing.
    func forward(_ message: Message) async -> [Data] {
        do {
            if message.isInitialize { initialize = message.body }
            var reply = try await post(message.body, session: sessionID)
            if reply.status == 404, !message.isInitialize, let stale = sessionID {
                // Sessions live in the daemon's memory: after a restart, open one again, retry once.
                logger.notice("the daemon forgot the MCP session; opening a new one", metadata: ["endpoint": "\(endpoint)"])
                try await renew(stale)
                reply = try await post(message.body, session: sessionID)
            }
            if message.isInitialize, reply.status == 200 { adopt(reply) }
            return answers(reply, to: message)
        } catch {
            logger.warning("cannot reach memoryd", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
            return message.id.map { [Self.error(id: $0, "memoryd at \(endpoint) is not reachable: \(error.localizedDescription)")] } ?? []
        }
    }

    /// Ends the session at the daemon (DELETE), so it does not wait for the idle timeout.
    func close() async {
        guard let sessionID else { return }
        var request = URLRequest(url: endpoint)
        request.httpMethod = "DELETE"
        request.setValue(sessionID, forHTTPHeaderField: "Mcp-Session-Id")
        _ = try? await http.data(for: request)
    }

    private func post(_ body: Data, session: String?) async throws -> Reply {
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json, text/event-stream", forHTTPHeaderField: "Accept")
        if let session { request.setValue(session, forHTTPHeaderField: "Mcp-Session-Id") }
        if let protocolVersion { request.setValue(protocolVersion, forHTTPHeaderField: "MCP-Protocol-Version") }
        let (data, response) = try await http.data(for: request)
        guard let response = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return Reply(status: response.statusCode, contentType: response.value(forHTTPHeaderField: "Content-Type") ?? "",
                     sessionID: response.value(forHTTPHeaderField: "Mcp-Session-Id"), body: data)
    }

    /// Takes the session id and the negotiated protocol version from an `initialize` answer.
    private func adopt(_ reply: Reply) {
        sessionID = reply.sessionID
        let result = messages(in: reply).lazy.compactMap { try? JSONValue(parsing: $0) }.first
        protocolVersion = result?["result"]?["protocolVersion"]?.stringValue
    }

    /// Opens a new session with the client's own `initialize` (its answer is not the
    /// client's business: it already has one) and the `initialized` notification. Concurrent
    /// requests that met the same stale session share one renewal.
    private func renew(_ stale: String) async throws {
        if let renewal, renewal.stale == stale { return try await renewal.task.value }
        guard sessionID == stale, let initialize else { return }
        let task = Task {
            let reply = try await post(initialize, session: nil)
            guard reply.status == 200 else { throw URLError(.badServerResponse) }
            adopt(reply)
            _ = try await post(Data(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8), session: sessionID)
        }
        renewal = (stale, task)
        try await task.value
    }

    private func answers(_ reply: Reply, to message: Message) -> [Data] {
        if (200..<300).contains(reply.status) { return messages(in: reply) }
        // A refusal (400, 403, 404, 406, …) carries a JSON-RPC error without an id: give it the request's.
        let detail = (try? JSONValue(parsing: reply.body))?["error"]?["message"]?.stringValue ?? "HTTP \(reply.status)"
        logger.warning("memoryd refused a message", metadata: ["status": "\(reply.status)", "error": "\(detail)"])
        guard let id = message.id else { return [] }
        return [Self.error(id: id, "memoryd at \(endpoint) answered HTTP \(reply.status): \(detail)")]
    }

    private func messages(in reply: Reply) -> [Data] {
        if reply.body.isEmpty { return [] }
        return reply.contentType.hasPrefix("text/event-stream") ? ServerSentEvents.messages(in: reply.body) : [reply.body]
    }

    /// A JSON-RPC error response (-32603, internal error) for request `id`.
    static func error(id: JSONValue, _ message: String) -> Data {
        let response: JSONValue = ["jsonrpc": "2.0", "id": id, "error": ["code": -32603, "message": .string(message)]]
        return Data(response.jsonText.utf8)
    }
}
