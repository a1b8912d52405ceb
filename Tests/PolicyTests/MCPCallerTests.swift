import Foundation
import Logging
import MCP
import MemoryMCP
import MemoryService
import MemoryStore
import Testing
import TestSupport

/// Who an MCP call runs as is said by whoever starts the server: over HTTP with tokens, a call
/// whose identity did not arrive (no request context, no caller header — as when the SDK
/// loses a request's context) has no scope and is refused, never run as `local`.
@Suite("MCP callers")
struct MCPCallerTests {
    @Test func httpCallWithoutAnIdentityIsRefusedNotLocal() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("m.duckdb").path)
            var logger = Logger(label: "policy-tests")
            logger.logLevel = .error
            let service = try MemoryService(store: store, redactor: nil, logger: logger)
            // The in-process transport carries no HTTP context, so no caller header reaches the handler.
            for (callers, refused) in [(MemoryMCPServer.Callers.http(authenticated: true), true),
                                       (.http(authenticated: false), false), (.local, false)] {
                let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
                _ = try await MemoryMCPServer(service: service, callers: callers).start(on: serverSide)
                let client = Client(name: "policy-tests", version: "1")
                try await client.connect(transport: clientSide)
                for name in ["memory_health", "memory_upsert"] {
                    let arguments: [String: Value] = name == "memory_upsert" ? ["namespace": "n", "key": "k", "value": 1] : [:]
                    let result = try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
                    let text = result.content.compactMap { if case .text(let t, _, _) = $0 { t } else { nil } }.joined()
                    #expect((result.isError == true) == refused, "\(callers) \(name): \(text)")
                    if refused { #expect(text.contains("token unauthenticated lacks the"), "\(text)") }
                }
                await client.disconnect()
            }
        }
    }
}
