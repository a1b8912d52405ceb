import Contracts
import Foundation
import Hummingbird
import Logging
import MemoryMCP
import MemoryService
import NIOCore
import ServiceLifecycle

/// MCP Streamable HTTP at `/mcp` on the API port (POST, GET, DELETE): a thin adapter that
/// turns Hummingbird requests into `MCPHTTPSessions` calls and its replies back into
/// responses. Sessions, validation and the protocol live there.
struct MCPRoutes: Sendable {
    let sessions: MCPHTTPSessions
    let maxBodyBytes: Int

    /// `authenticated`: tokens are configured, so a call without the middleware's caller header is refused.
    init(service: MemoryService, configuration: ServerConfiguration, authenticated: Bool, logger: Logger) {
        sessions = MCPHTTPSessions(server: MemoryMCPServer(service: service, callers: .http(authenticated: authenticated)),
                                   configuration: .init(allowedOrigins: configuration.allowedOrigins), logger: logger)
        maxBodyBytes = configuration.maxBodyBytes
    }

    func register(on router: Router<BasicRequestContext>) {
        for method in [HTTPRequest.Method.post, .get, .delete] {
            router.on("mcp", method: method) { request, _ in await handle(request) }
        }
    }

    private func handle(_ request: Request) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            let refusal: JSONValue = ["jsonrpc": "2.0", "id": .null,
                                      "error": ["code": -32600, "message": .string("the body is larger than \(maxBodyBytes) bytes")]]
            return Response(status: .contentTooLarge, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: refusal.jsonText)))
        }
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName] = headers[field.name.canonicalName].map { "\($0), \(field.value)" } ?? field.value
        }
        // HTTP/1.1's Host arrives as the request's authority, not as a header field.
        if let authority = request.head.authority { headers["host"] = authority }
        let reply = await sessions.handle(method: request.method.rawValue, headers: headers,
                                          body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil,
                                          path: request.uri.path)

        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let name = HTTPFields.Element.Name(name) { fields[name] = value }
        }
        let status = HTTPResponse.Status(code: reply.status)
        switch reply.body {
        case .empty:
            return Response(status: status, headers: fields)
        case .data(let data):
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        case .stream(let events):
            let standalone = reply.isStandaloneStream
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                if standalone {
                    // A GET stream only ends when the client leaves: end it at shutdown, or the
                    // listener would wait for it forever.
                    for try await chunk in events.cancelOnGracefulShutdown() {
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                } else {
                    // A POST's stream ends with its answer, which an in-flight call still gets.
                    for try await chunk in events {
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                }
                try await writer.finish(nil)
            })
        }
    }
}
