import DuckDB
import Foundation
import Logging
import MemoryIngest
import MemoryServer
import MemoryStore
import ServiceLifecycle
import TestSupport

/// memoryd's services run inside the test process on ports picked by the kernel, over a
/// fresh store in a temporary directory, so a test can read the store while serving.
struct InProcessServer: Sendable {
    let store: Store
    let otlpPort: Int
    let apiPort: Int
    let server: MemoryServer

    /// Runs `body` against a live server and stops it gracefully afterwards (the writer
    /// drains and commits what is queued). The database is closed before this returns.
    static func with<T: Sendable>(
        databasePath: String? = nil,
        maxBodyBytes: Int = ServerConfiguration().maxBodyBytes,
        ingest: IngestPipeline.Configuration = .init(),
        _ body: @Sendable (InProcessServer) async throws -> T
    ) async throws -> T {
        try await TemporaryDirectory.with { directory in
            let path = databasePath ?? directory.appendingPathComponent("memory.duckdb").path
            let closer = DatabaseCloser()
            do {
                let value = try await serve(path: path, maxBodyBytes: maxBodyBytes, ingest: ingest, closer: closer, body)
                await closer.close()
                return value
            } catch {
                await closer.close()
                throw error
            }
        }
    }

    private static func serve<T: Sendable>(
        path: String, maxBodyBytes: Int, ingest: IngestPipeline.Configuration, closer: DatabaseCloser,
        _ body: @Sendable (InProcessServer) async throws -> T
    ) async throws -> T {
        let store = try Store(path: path)
        closer.database = store.database
        var logger = Logger(label: "memoryd-test")
        logger.logLevel = .error
        let server = try MemoryServer(
            store: store,
            configuration: ServerConfiguration(bind: "127.0.0.1", otlpPort: 0, apiPort: 0, maxBodyBytes: maxBodyBytes),
            // Stored as received, so fields compare with the fixtures' decoded JSON; the
            // binary's default (redaction on) is covered by RedactionOnDiskTests.
            ingest: ingest, redactor: nil, logger: logger)
        let (ports, portsContinuation) = AsyncStream.makeStream(of: (Int, Int).self)
        let services = server.services { otlp, api in
            portsContinuation.yield((otlp, api))
            portsContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portsContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let (otlp, api) = await iterator.next() else {
                try await tasks.waitForAll()
                throw TestFailure("memoryd services stopped before listening")
            }
            let live = InProcessServer(store: store, otlpPort: otlp, apiPort: api, server: server)
            do {
                let value = try await body(live)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// POSTs a fixture as its client sent it.
    func post(_ entry: Fixtures.Entry) async throws -> HTTP.Response {
        try await HTTP.post(port: otlpPort, path: entry.httpPath, headers: try entry.headers(), body: try entry.body())
    }

    func post(_ file: String) async throws -> HTTP.Response {
        try await post(try Fixtures.entry(file))
    }

    func post(signal: String, contentType: String?, encoding: String? = nil, body: [UInt8]) async throws -> HTTP.Response {
        try await HTTP.post(port: otlpPort, signal: signal, contentType: contentType, encoding: encoding, body: body)
    }

    func get(_ path: String) async throws -> HTTP.Response {
        try await HTTP.get(port: apiPort, path: path)
    }
}
