import ArgumentParser
import DuckDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MemoryMCP
import MemoryServer
import MemoryService
import MemoryStore
import Redaction
import ServiceLifecycle

/// `memoryd mcp`: the memory tools over MCP on stdin/stdout, as MCP hosts (Claude Desktop and
/// the like) launch servers. DuckDB lets one process write a file, and the host may start this
/// while `memoryd serve` runs on the same file, so:
/// - by default it opens the database itself and serves the tools from this process;
/// - when the file is held by a daemon that answers at the configured API address, it relays
///   to that daemon's `/mcp` instead (same tools, and ingest keeps running);
/// - `--api URL` relays to the given daemon without touching the file.
struct MCP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the memory tools over MCP on stdin/stdout (for MCP hosts).",
        discussion: """
            Opens the database unless a running `memoryd serve` holds it; then the session is relayed to that \
            daemon's /mcp (at server.bind and server.api_port). Logs go to stderr; stdout is the protocol.
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: "Relay to the MCP endpoint of a running daemon (e.g. http://127.0.0.1:8787) instead of opening the database.")
    var api: String?

    func run() async throws {
        let configuration = try options.configuration()
        let logger = configuration.bootstrapLogging()

        if let api {
            await StdioRelay(configuration: .init(endpoint: try Self.endpoint(api), bearerToken: Self.token), logger: logger).run()
            return
        }
        let store: Store
        do {
            store = try Store(path: configuration.databasePath,
                              threads: configuration.duckdbThreads > 0 ? configuration.duckdbThreads : nil,
                              memoryLimit: configuration.duckdbMemoryLimit)
        } catch let error as DuckDBError where error.message.contains("Could not set lock") {
            guard let daemon = await Self.runningDaemon(configuration.server) else {
                throw DatabaseInUse(path: configuration.databasePath, server: configuration.server)
            }
            logger.notice("the database is held by a running memoryd; relaying to its MCP endpoint",
                          metadata: ["endpoint": "\(daemon)"])
            await StdioRelay(configuration: .init(endpoint: daemon, bearerToken: Self.token), logger: logger).run()
            return
        }

        // Stdio runs as the local user: every call is audited with actor `local`.
        let memory = try MemoryService(store: store, redactor: try configuration.makeRedactor(),
                                       audit: try AuditLog(store: store), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [
                // Facts written here become searchable, and expired ones go, as under `serve`.
                .init(service: MemoryUpkeep(service: memory)),
                .init(service: StdioSession(server: MemoryMCPServer(service: memory, callers: .local), logger: logger),
                      successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        // Fold the WAL into the file, as `serve` does, so the next reader opens it without replay.
        try store.connect().execute("CHECKPOINT")
    }

    /// The daemon's bearer token for the relay, when it checks tokens (`[[auth.tokens]]`).
    static var token: String? { ProcessInfo.processInfo.environment["MEMORYD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } }

    /// `http://host:port` or a full `…/mcp` URL.
    static func endpoint(_ text: String) throws -> URL {
        guard var components = URLComponents(string: text), let scheme = components.scheme,
              ["http", "https"].contains(scheme.lowercased()), components.host?.isEmpty == false else {
            throw UsageError("--api must be an http(s) URL such as http://127.0.0.1:8787, got \(text)")
        }
        if components.path.isEmpty || components.path == "/" { components.path = "/mcp" }
        guard let url = components.url else { throw UsageError("--api: cannot use \(text)") }
        return url
    }

    /// The configured daemon's `/mcp`, when its `/healthz` answers.
    static func runningDaemon(_ server: ServerConfiguration) async -> URL? {
        guard server.apiPort > 0 else { return nil }
        // A daemon bound to every address is reached on loopback.
        let host = ["0.0.0.0", "::", ""].contains(server.bind) ? "127.0.0.1" : server.bind
        let authority = host.contains(":") ? "[\(host)]:\(server.apiPort)" : "\(host):\(server.apiPort)"
        guard let health = URL(string: "http://\(authority)/healthz"), let mcp = URL(string: "http://\(authority)/mcp") else {
            return nil
        }
        var request = URLRequest(url: health)
        request.timeoutInterval = 3
        guard let (_, response) = try? await URLSession.shared.data(for: request),
              (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
        return mcp
    }
}

/// The database file is held by another process and no daemon answers where the
/// configuration says it would (exit code 1, one line).
private struct DatabaseInUse: Error, CustomStringConvertible {
    let path: String
    let server: ServerConfiguration

    var description: String {
        "\(path) is in use by another process and no memoryd answers at \(server.bind):\(server.apiPort); "
            + "pass --api URL of the daemon that holds it, or stop that process"
    }
}

/// The stdio connection as a service of the group: it ends when the client closes stdin
/// (then the group shuts down) or at SIGTERM/SIGINT.
private struct StdioSession: Service {
    let server: MemoryMCPServer
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.serveStdio(logger: logger)
        }
    }
}
