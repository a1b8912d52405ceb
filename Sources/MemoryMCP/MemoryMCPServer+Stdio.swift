import Logging
import MCP

extension MemoryMCPServer {
    /// Serves one client over stdin/stdout (`memoryd mcp`) until the client closes stdin or
    /// the task is cancelled (shutdown). `logger` must not write to stdout: it is the protocol.
    public func serveStdio(logger: Logger) async throws {
        let server = try await start(on: StdioTransport(logger: logger))
        await withTaskCancellationHandler {
            await server.waitUntilCompleted()
        } onCancel: {
            Task { await server.stop() }
        }
    }
}
