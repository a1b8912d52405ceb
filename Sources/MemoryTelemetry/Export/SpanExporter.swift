import AsyncHTTPClient
import Logging
import ServiceLifecycle

/// The background half of the span core: every `batchInterval`, or as soon as a batch is full,
/// takes the ended spans off the queue, encodes them (completed and redacted) into OTLP/HTTP
/// protobuf requests of at most `batchSize` spans, and sends each request to every endpoint at
/// once. On graceful shutdown it exports what is still queued, then returns, so every span that
/// ended before the shutdown is sent.
final class SpanExporter: Service {
    private let queue: EndedSpanQueue
    private let encoder: OTLPSpanEncoder
    private let endpoints: [OTLPHTTPEndpoint]
    private let batchSize: Int
    private let batchInterval: Duration
    private let exportTimeout: Duration
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let logger: Logger

    init(
        queue: EndedSpanQueue, encoder: OTLPSpanEncoder, endpoints: [OTLPHTTPEndpoint], batchSize: Int,
        batchInterval: Duration, exportTimeout: Duration, wakeups: AsyncStream<Void>, wake: AsyncStream<Void>.Continuation,
        logger: Logger
    ) {
        self.queue = queue
        self.encoder = encoder
        self.endpoints = endpoints
        self.batchSize = batchSize
        self.batchInterval = batchInterval
        self.exportTimeout = exportTimeout
        self.wakeups = wakeups
        self.wake = wake
        self.logger = logger
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [batchInterval, wake] in
                while (try? await Task.sleep(for: batchInterval)) != nil { wake.yield() }
            }
            await withGracefulShutdownHandler {
                for await _ in wakeups { await exportQueued() }
            } onGracefulShutdown: { [wake] in
                wake.finish()
            }
            group.cancelAll()
        }
        await exportQueued()
    }

    /// Sends everything queued, in batches, each to all endpoints concurrently. An endpoint that
    /// could not be reached is skipped for the rest of this round (its batches dropped), so a
    /// dead backend costs one timeout per round, not one per batch, and shutdown stays short.
    func exportQueued() async {
        let (spans, dropped) = queue.takeAll()
        if dropped > 0 {
            logger.warning("MemoryTelemetry: queue full, spans dropped", metadata: ["dropped": "\(dropped)", "capacity": "\(queue.capacity)"])
        }
        var reachable = endpoints
        var start = spans.startIndex
        while start < spans.endIndex, !reachable.isEmpty {
            let end = min(start + batchSize, spans.endIndex)
            let body = encoder.encode(spans[start ..< end])
            start = end
            let unreachable = await withTaskGroup(of: OTLPHTTPEndpoint?.self) { group in
                for endpoint in reachable {
                    group.addTask { [exportTimeout, logger] in
                        await endpoint.send(body, client: .shared, timeout: exportTimeout, logger: logger) ? nil : endpoint
                    }
                }
                var failed: [OTLPHTTPEndpoint] = []
                for await endpoint in group { if let endpoint { failed.append(endpoint) } }
                return failed
            }
            reachable.removeAll { unreachable.contains($0) }
        }
        if start < spans.endIndex {
            logger.warning("MemoryTelemetry: no endpoint reachable, spans dropped", metadata: ["dropped": "\(spans.endIndex - start)"])
        }
    }
}
