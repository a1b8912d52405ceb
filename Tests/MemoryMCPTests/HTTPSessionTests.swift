import Contracts
import Foundation
import MCP
@testable import MemoryMCP
import MemoryService
import Testing

/// Streamable HTTP sessions in process (`MCPHTTPSessions`, what `/mcp` hands requests to):
/// Origin, session routing, DELETE, and the bound on open sessions.
@Suite struct HTTPSessionTests {
    static let initialize = Data(#"""
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"http-test","version":"1"}}}
        """#.utf8)
    static let listTools = Data(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#.utf8)
    static let postHeaders = ["Content-Type": "application/json", "Accept": "application/json, text/event-stream"]

    func sessions(_ configuration: MCPHTTPSessions.Configuration = .init()) throws -> (MemoryFixture, MCPHTTPSessions) {
        let fixture = try MemoryFixture()
        return (fixture, MCPHTTPSessions(server: MemoryMCPServer(service: fixture.service, callers: .http(authenticated: false)), configuration: configuration,
                                         logger: quietLogger))
    }

    /// Opens a session; returns its id.
    func open(_ sessions: MCPHTTPSessions, headers: [String: String] = postHeaders) async throws -> String {
        let reply = await sessions.handle(method: "POST", headers: headers, body: Self.initialize, path: "/mcp")
        #expect(reply.status == 200)
        #expect(reply.headers["Content-Type"] == "text/event-stream")
        let messages = try await Self.messages(reply)
        #expect(messages.first?["result"]?["serverInfo"]?["name"] == "memoryd")
        return try #require(reply.headers["MCP-Session-Id"])
    }

    static func messages(_ reply: MCPHTTPSessions.Reply) async throws -> [JSONValue] {
        guard case .stream(let stream) = reply.body else { throw TestFailure("not an event stream: \(reply.status)") }
        var body = Data()
        for try await chunk in stream { body.append(chunk) }
        return try ServerSentEvents.messages(in: body).map { try JSONValue(parsing: $0) }
    }

    func post(_ sessions: MCPHTTPSessions, _ body: Data, session: String) async -> MCPHTTPSessions.Reply {
        await sessions.handle(method: "POST", headers: Self.postHeaders.merging(["Mcp-Session-Id": session]) { $1 },
                              body: body, path: "/mcp")
    }

    @Test func aSessionServesToolsUntilDeleted() async throws {
        let (_, sessions) = try sessions()
        let id = try await open(sessions)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        let listed = try await Self.messages(await post(sessions, Self.listTools, session: id))
        #expect(listed.first?["result"]?["tools"]?.arrayValue?.count == MemoryService.tools.count)

        let deleted = await sessions.handle(method: "DELETE", headers: ["Mcp-Session-Id": id], body: nil, path: "/mcp")
        #expect(deleted.status == 200)
        #expect(await sessions.count == 0)
        #expect(await post(sessions, Self.listTools, session: id).status == 404, "a closed session is unknown")
    }

    @Test(arguments: ["http://evil.example", "https://localhost.evil.example", "null", "http://127.0.0.1.evil.example:80"])
    func aForeignOriginIsForbidden(origin: String) async throws {
        let (_, sessions) = try sessions()
        let reply = await sessions.handle(method: "POST", headers: Self.postHeaders.merging(["Origin": origin]) { $1 },
                                          body: Self.initialize, path: "/mcp")
        #expect(reply.status == 403)
        guard case .data(let body) = reply.body else { throw TestFailure("no JSON body") }
        #expect(try JSONValue(parsing: body)["error"]?["code"] == -32600)
        #expect(await sessions.count == 0)
    }

    @Test(arguments: ["http://localhost:6274", "http://127.0.0.1:8787", "http://[::1]:3000", "https://app.localhost", "http://localhost"])
    func loopbackOriginsAreAllowed(origin: String) async throws {
        let (_, sessions) = try sessions()
        _ = try await open(sessions, headers: Self.postHeaders.merging(["Origin": origin]) { $1 })
    }

    @Test func listedOriginsAreAllowed() async throws {
        let (_, sessions) = try sessions(.init(allowedOrigins: ["https://inspector.example.com/"]))
        _ = try await open(sessions, headers: Self.postHeaders.merging(["Origin": "https://Inspector.example.com"]) { $1 })
    }

    @Test func requestsOutsideASessionAreRefused() async throws {
        let (_, sessions) = try sessions()
        let missing = await sessions.handle(method: "POST", headers: Self.postHeaders, body: Self.listTools, path: "/mcp")
        #expect(missing.status == 400)
        #expect(await post(sessions, Self.listTools, session: "0123abcd").status == 404)
        let get = await sessions.handle(method: "GET", headers: ["Accept": "text/event-stream"], body: nil, path: "/mcp")
        #expect(get.status == 400)
    }

    @Test func theTransportChecksAcceptAndProtocolVersion() async throws {
        let (_, sessions) = try sessions()
        let notAcceptable = await sessions.handle(method: "POST", headers: ["Content-Type": "application/json", "Accept": "application/json"],
                                                  body: Self.initialize, path: "/mcp")
        #expect(notAcceptable.status == 406)
        #expect(await sessions.count == 0, "a refused initialize leaves no session behind")
        let id = try await open(sessions)
        let wrongVersion = await sessions.handle(
            method: "POST", headers: Self.postHeaders.merging(["Mcp-Session-Id": id, "MCP-Protocol-Version": "1999-01-01"]) { $1 },
            body: Self.listTools, path: "/mcp")
        #expect(wrongVersion.status == 400)
    }

    @Test func openingOneSessionTooManyClosesTheLeastRecentlyUsed() async throws {
        var configuration = MCPHTTPSessions.Configuration()
        configuration.maxSessions = 2
        let (_, sessions) = try sessions(configuration)
        let first = try await open(sessions)
        let second = try await open(sessions)
        _ = try await Self.messages(await post(sessions, Self.listTools, session: first))
        _ = try await open(sessions)
        #expect(await sessions.count == 2)
        #expect(await post(sessions, Self.listTools, session: second).status == 404)
        #expect(await post(sessions, Self.listTools, session: first).status == 200)
    }

    @Test func idleSessionsAreClosed() async throws {
        var configuration = MCPHTTPSessions.Configuration()
        configuration.idleTimeout = .milliseconds(200)
        let (_, sessions) = try sessions(configuration)
        let id = try await open(sessions)
        try await Task.sleep(for: .milliseconds(400))
        #expect(await post(sessions, Self.listTools, session: id).status == 404)
        #expect(await sessions.count == 0)
    }
}
