import Contracts
import Foundation
import Logging
import MCP
import MemoryMCP
import MemoryService
import MemoryStore
import Testing

/// A memory service on a fresh store in a temporary folder.
final class MemoryFixture: @unchecked Sendable {
    let directory: URL
    let store: Store
    let service: MemoryService

    init() throws {
        directory = try temporaryDirectory("mcp-tests")
        store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
        service = try MemoryService(store: store, redactor: nil, logger: quietLogger)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// An MCP client named `clientName`, connected in process to a server for this service
    /// (initialized, as `connect` does).
    func connectedClient(named clientName: String = "mcp-tests") async throws -> Client {
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        _ = try await MemoryMCPServer(service: service, callers: .local).start(on: serverSide)
        let client = Client(name: clientName, version: "1.0")
        try await client.connect(transport: clientSide)
        return client
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "mcp-tests")
    logger.logLevel = .error
    return logger
}()

func temporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

extension Client {
    /// The whole `tools/call` result (the SDK's `callTool` drops `structuredContent`).
    func call(_ name: String, _ arguments: [String: Value] = [:], meta: Metadata? = nil) async throws -> CallTool.Result {
        try await send(CallTool.request(.init(name: name, arguments: arguments, meta: meta))).value
    }
}

extension CallTool.Result {
    /// The text of the single text content.
    var text: String? {
        guard content.count == 1, case .text(let text, _, _) = content[0] else { return nil }
        return text
    }
}

/// Plain JSON for comparisons: the SDK's `Value` through its own encoder, parsed again.
func json(_ value: Value) throws -> JSONValue {
    try JSONValue(parsing: String(decoding: JSONEncoder().encode(value), as: UTF8.self))
}

/// A failure a test reports with its own message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads `handle` on a thread of its own until `done` says so (or end of file), so blocking
/// reads never hold one of the few cooperative threads the tests share.
func read(_ handle: FileHandle, until done: @escaping @Sendable (Data) -> Bool = { _ in false }) async -> Data {
    await withCheckedContinuation { continuation in
        Thread {
            var data = Data()
            while !done(data), case let chunk = handle.availableData, !chunk.isEmpty { data.append(chunk) }
            continuation.resume(returning: data)
        }.start()
    }
}
