import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `memoryd mcp` when `memoryd serve` already holds the database (DuckDB lets one process
/// write a file), and the daemon's `/mcp` around restarts and shutdown.
@Suite(.serialized) struct MCPCommandTests {
    @Test func aLockedDatabaseWithNoDaemonToRelayToFailsWithOneLine() async throws {
        let directory = try temporaryDirectory("mcp-locked")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await Daemon.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
        defer { Task { await daemon.stop() } }
        // The configured API port is not the daemon's, so there is nobody to relay to.
        let child = try StdioChild(["mcp", "--db", daemon.databasePath], environment: ["MEMORYD_API_PORT": "1"], in: directory)
        let status = try await child.finish()
        #expect(status == 1)
        let lines = child.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(child.stderr)")
        #expect(lines.first?.hasPrefix("memoryd: ") == true)
        #expect(lines.first?.contains("in use by another process") == true)
        #expect(lines.first?.contains("--api") == true)
        #expect(child.stdout.isEmpty, "nothing but protocol may reach stdout")
    }

    /// A host starts `memoryd mcp` while the daemon runs: the session goes to the daemon, and
    /// the daemon records the host's client name as the writer.
    @Test func aLockedDatabaseIsServedByRelayingToTheRunningDaemon() async throws {
        let directory = try temporaryDirectory("mcp-relay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await Daemon.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
        defer { Task { await daemon.stop() } }
        let child = try StdioChild(["mcp", "--db", daemon.databasePath], environment: ["MEMORYD_API_PORT": "\(daemon.apiPort)"],
                                   in: directory)
        let initialized = try await child.initialize(as: "relay-host")
        #expect(initialized["result"]?["serverInfo"]?["name"] == "memoryd")
        let written = try await child.call("memory_upsert", ["namespace": "relay", "key": "k", "value": [1, 2]], id: 1)
        #expect(written["result"]?["structuredContent"]?["version"] == 1, "\(written)")
        let read = try await child.call("memory_get", ["namespace": "relay", "key": "k"], id: 2)
        #expect(read["result"]?["structuredContent"]?["written_by"] == "relay-host")
        let refused = try await child.call("memory_query", ["sql": "drop table spans"], id: 3)
        #expect(refused["result"]?["isError"] == true)
        let unknown = try await child.call("nope", [:], id: 4)
        #expect(unknown["error"]?["code"] == -32602)
        #expect(try await child.finish() == 0, "\(child.stderr)")
    }

    /// `--api` relays without touching the database (here: a path that cannot even exist).
    @Test func apiRelaysWithoutOpeningTheDatabase() async throws {
        let directory = try temporaryDirectory("mcp-api")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await Daemon.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
        defer { Task { await daemon.stop() } }
        let child = try StdioChild(["mcp", "--db", "/dev/null/no.duckdb", "--api", "http://127.0.0.1:\(daemon.apiPort)"],
                                   in: directory)
        try await child.initialize(as: "api-host")
        let health = try await child.call("memory_health", [:], id: 1)
        #expect(health["result"]?["structuredContent"]?["status"] == "ok", "\(health)")
        #expect(try await child.finish() == 0, "\(child.stderr)")
    }

    @Test func aRelayToNoDaemonAnswersEveryRequestWithAnError() async throws {
        let directory = try temporaryDirectory("mcp-api-down")
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try StdioChild(["mcp", "--api", "http://127.0.0.1:1"], in: directory)
        try child.send(["jsonrpc": "2.0", "id": 7, "method": "initialize", "params": [
            "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "h", "version": "1"]]])
        let answer = try await child.response(id: 7)
        #expect(answer["error"]?["message"]?.stringValue?.contains("not reachable") == true, "\(answer)")
        #expect(try await child.finish() == 0)
    }

    /// Sessions live in the daemon's memory: after it restarts, the relay opens a new one with
    /// the host's own initialize, and the host's next call just works.
    @Test func theRelayReopensItsSessionAfterTheDaemonRestarts() async throws {
        let directory = try temporaryDirectory("mcp-restart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("memory.duckdb").path
        let first = try await Daemon.start(databasePath: path)
        let port = first.apiPort
        let child = try StdioChild(["mcp", "--api", "http://127.0.0.1:\(port)/mcp"], in: directory)
        try await child.initialize(as: "restart-host")
        let before = try await child.call("memory_upsert", ["namespace": "r", "key": "k", "value": 1], id: 1)
        #expect(before["result"]?["structuredContent"]?["version"] == 1, "\(before)")
        #expect(await first.stop() == 0)

        let second = try await Daemon.start(databasePath: path, apiPort: port)
        defer { Task { await second.stop() } }
        let after = try await child.call("memory_upsert", ["namespace": "r", "key": "k", "value": 2], id: 2)
        #expect(after["result"]?["structuredContent"]?["version"] == 2, "\(after)\n\(child.stderr)")
        let read = try await child.call("memory_get", ["namespace": "r", "key": "k"], id: 3)
        #expect(read["result"]?["structuredContent"]?["written_by"] == "restart-host")
        #expect(try await child.finish() == 0, "\(child.stderr)")
    }

    /// A client's GET stream (server-initiated messages) never ends by itself; SIGTERM must
    /// still stop the daemon promptly and cleanly.
    @Test func shutdownEndsOpenEventStreams() async throws {
        let directory = try temporaryDirectory("mcp-shutdown")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await Daemon.start(databasePath: directory.appendingPathComponent("memory.duckdb").path)
        let http = URLSession(configuration: .ephemeral)
        let initialize = try await Self.post(http, daemon.mcpURL, session: nil, body: #"""
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sse","version":"1"}}}
            """#)
        let session = try #require(initialize.value(forHTTPHeaderField: "Mcp-Session-Id"))
        _ = try await Self.post(http, daemon.mcpURL, session: session, body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)

        let stream = try EventStreamConnection(port: daemon.apiPort, session: session)
        #expect(try stream.status() == 200, "the GET stream did not open")

        let started = ContinuousClock.now
        #expect(await daemon.stop(timeout: .seconds(20)) == 0, "SIGTERM with an open stream: \(daemon.log)")
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(try stream.readToEnd().contains("id: "), "the stream carried its priming event until it ended")
    }

    static func request(_ url: URL, method: String, session: String?) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue(method == "GET" ? "text/event-stream" : "application/json, text/event-stream",
                         forHTTPHeaderField: "Accept")
        if let session {
            request.setValue(session, forHTTPHeaderField: "Mcp-Session-Id")
            request.setValue("2025-11-25", forHTTPHeaderField: "MCP-Protocol-Version")
        }
        return request
    }

    static func post(_ http: URLSession, _ url: URL, session: String?, body: String) async throws -> HTTPURLResponse {
        var request = request(url, method: "POST", session: session)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (_, response) = try await http.data(for: request)
        return try #require(response as? HTTPURLResponse)
    }
}
