import Foundation
import Logging

/// `memoryd mcp` in front of a running daemon: DuckDB lets one process write the file, so
/// when `memoryd serve` holds it, the MCP host's stdio connection is relayed to the daemon's
/// Streamable HTTP endpoint instead, one message at a time, and the daemon's tools answer.
public struct StdioRelay: Sendable {
    public struct Configuration: Sendable {
        /// The daemon's MCP endpoint, e.g. `http://127.0.0.1:8787/mcp`.
        public var endpoint: URL
        /// Longest wait for one answer (default 120 s, well above `memory_query`'s 30 s cap).
        public var requestTimeout: Duration = .seconds(120)
        /// Sent as `Authorization: Bearer …` when the daemon checks tokens (`MEMORYD_TOKEN`).
        public var bearerToken: String?

        public init(endpoint: URL, bearerToken: String? = nil) {
            self.endpoint = endpoint
            self.bearerToken = bearerToken
        }
    }

    let configuration: Configuration
    let logger: Logger

    /// `logger` must not write to stdout: it is the protocol.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Relays until the client closes stdin and every request it sent has its answer, then
    /// ends the session at the daemon.
    public func run() async {
        let connection = RelayConnection(endpoint: configuration.endpoint, requestTimeout: configuration.requestTimeout,
                                         bearerToken: configuration.bearerToken, logger: logger)
        let output = LineWriter(handle: .standardOutput, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            for await line in StandardInput.lines() {
                let message = RelayConnection.Message(line)
                if message.id != nil && !message.isInitialize {
                    // Requests run side by side (answers may come back out of order, as MCP allows).
                    group.addTask {
                        for answer in await connection.forward(message) { await output.write(answer) }
                    }
                } else {
                    // `initialize` and notifications in order: the session exists before anything
                    // else is sent, and `initialized` precedes what follows it.
                    for answer in await connection.forward(message) { await output.write(answer) }
                }
            }
            await group.waitForAll()
        }
        await connection.close()
    }
}

/// Writes whole lines to stdout, one writer at a time, so concurrent answers never interleave.
private actor LineWriter {
    let handle: FileHandle
    let logger: Logger

    init(handle: FileHandle, logger: Logger) {
        self.handle = handle
        self.logger = logger
    }

    func write(_ message: Data) {
        do {
            try handle.write(contentsOf: message + Data("\n".utf8))
        } catch {
            logger.warning("cannot write to stdout", metadata: ["error": "\(error)"])
        }
    }
}
