import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird server on 127.0.0.1, on a port the kernel picks, for the duration of `body`.
enum LocalHTTPServer {
    static func with<T: Sendable>(
        _ router: Router<BasicRequestContext>, _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "telemetry-test-server")
        logger.logLevel = .error
        let (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portsContinuation.yield(channel.localAddress?.port ?? 0)
                portsContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portsContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                try await tasks.waitForAll()
                throw TestFailure("the test server stopped before listening")
            }
            do {
                let value = try await body(port)
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
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
