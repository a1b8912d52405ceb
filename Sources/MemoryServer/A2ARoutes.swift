import Contracts
import Foundation
import Hummingbird
import Logging
import MemoryA2A
import MemoryService
import NIOCore

/// A2A on the API port: the agent card at `/.well-known/agent-card.json` and the JSON-RPC
/// endpoint at `POST /a2a`. Everything A2A-specific is in `MemoryA2A`; this only moves bytes.
struct A2ARoutes: Sendable {
    let dispatcher: A2ADispatcher
    let configuration: ServerConfiguration

    init(service: MemoryService, configuration: ServerConfiguration, logger: Logger) {
        dispatcher = A2ADispatcher(service: service, logger: logger)
        self.configuration = configuration
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get(".well-known/agent-card.json") { request, _ in
            A2ARoutes.json(A2AAgentCard(endpoint: endpoint(for: request)).json)
        }
        router.post("a2a") { request, _ in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: configuration.maxBodyBytes)
            } catch {
                // A JSON-RPC error, as a2a-sdk's server answers it: its client reads errors
                // from the body and treats any non-2xx status as a transport failure.
                return A2ARoutes.json(A2AError.payloadTooLarge(limit: configuration.maxBodyBytes).response(id: .null))
            }
            let response = await dispatcher.respond(
                to: body.readableBytesView, versionHeader: A2ARoutes.a2aVersion(request),
                principal: request.headers[.userAgent], traceID: request.headers[.traceparent].flatMap(TraceParent.traceID))
            guard let response else { return Response(status: .noContent) }
            return A2ARoutes.json(response)
        }
    }

    /// The JSON-RPC endpoint's URL as the client reached this server: the request's Host,
    /// else the configured address (HTTP/1.0 clients may send no Host).
    private func endpoint(for request: Request) -> String {
        let host = request.head.authority.flatMap { Self.isHost($0) ? $0 : nil }
            ?? "\(configuration.bind.contains(":") ? "[\(configuration.bind)]" : configuration.bind):\(configuration.apiPort)"
        return "http://\(host)/a2a"
    }

    /// A plausible `host[:port]` (name, IPv4 or bracketed IPv6), so a forged Host cannot put
    /// arbitrary text into the card.
    static func isHost(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 255 else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-._~:[]".unicodeScalars.contains(scalar))
        }
    }

    /// The `A2A-Version` header, looked up by its canonical (lowercased) name.
    static func a2aVersion(_ request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == "a2a-version" }?.value
    }

    static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }
}
