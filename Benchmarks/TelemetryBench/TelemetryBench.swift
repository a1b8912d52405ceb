import Foundation
import Hummingbird
import Logging
import MemoryTelemetry
import ServiceLifecycle
import Synchronization
import Tracing

// Cost of a span on the hot path with the OTLP exporter attached, sending to an OTLP/HTTP sink
// in this process: the CPU time the emitting thread spends per span (median over chunks of
// 5,000 spans, and mean), the wall time per span,
// and the rate at which spans are emitted and exported (encoding, redaction and the sink's
// HTTP handling included). Pin it to one core to measure what one core can do:
//
//     taskset -c 0 .build/release/TelemetryBench [spans]
//
// Scenarios, all inside a run (so every span gets the run's correlation attributes):
// - `telemetry.tracer`: swift-distributed-tracing's `startSpan`, three attributes, `end`;
// - `telemetry.info(template, arguments)`: a Logfire-style log (message, schema on export);
// - `telemetry.withSpan(template, arguments) { }`: a Logfire-style span around a closure, with
//   the task-local context set for its body.

/// Accepts OTLP/HTTP trace exports, counts their bytes and drops them.
final class Sink: Sendable {
    let received = Atomic<Int>(0)
    let requests = Atomic<Int>(0)

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 256 << 20)
            self.received.add(body.readableBytes, ordering: .relaxed)
            self.requests.add(1, ordering: .relaxed)
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"], body: .init())
        }
        return router
    }
}

struct Result {
    let name: String
    /// CPU time of the emitting thread: what the instrumented code pays, whatever else runs.
    let emitCPUNanos: UInt64
    /// The median of the emitting thread's CPU time per span over chunks of `chunk` spans: on a
    /// machine shared with other work, the figure least disturbed by it (cache and frequency
    /// effects of other processes show as outlying chunks).
    let medianChunkCPUNanos: Double
    let emitNanos: UInt64
    let totalNanos: UInt64
    let requests: Int
    let bytes: Int
}

/// CPU time consumed by the calling thread so far.
func threadCPUNanos() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Emits `warmup + spans` spans with `emit`, then shuts the exporter down (which sends what
/// is queued); times the measured spans and the whole run including export.
func measure(_ name: String, sink: Sink, telemetry: Telemetry, _ emit: (Int) async throws -> Void) async throws -> Result {
    for i in 0 ..< warmup { try await emit(i) }
    let requestsBefore = sink.requests.load(ordering: .relaxed)
    let bytesBefore = sink.received.load(ordering: .relaxed)
    // The loop never suspends, so it runs on one thread and that thread's CPU time is its cost.
    var chunks: [Double] = []
    let cpuStart = threadCPUNanos()
    let start = DispatchTime.now().uptimeNanoseconds
    var chunkStart = cpuStart
    for i in 0 ..< spans {
        try await emit(i)
        if (i + 1) % chunk == 0 {
            let now = threadCPUNanos()
            chunks.append(Double(now - chunkStart) / Double(chunk))
            chunkStart = now
        }
    }
    let emitted = DispatchTime.now().uptimeNanoseconds
    let cpu = threadCPUNanos() - cpuStart
    chunks.sort()
    await telemetry.shutdown()
    let done = DispatchTime.now().uptimeNanoseconds
    return Result(name: name, emitCPUNanos: cpu, medianChunkCPUNanos: chunks.isEmpty ? .nan : chunks[chunks.count / 2], emitNanos: emitted - start, totalNanos: done - start,
                  requests: sink.requests.load(ordering: .relaxed) - requestsBefore,
                  bytes: sink.received.load(ordering: .relaxed) - bytesBefore)
}

func configuration(port: Int) -> TelemetryConfiguration {
    // A queue that holds every span, so none is dropped and all are exported.
    TelemetryConfiguration(serviceName: "telemetry-bench", destination: .memoryd("http://127.0.0.1:\(port)"),
                           batchSize: 4096, maxQueueSize: spans + warmup + 4096)
}

func run(sink: Sink, port: Int) async throws -> [Result] {
    var results: [Result] = []
    let run = Run(id: "run-bench", packetID: "pkt-bench", milestone: "LM-01", agent: "bench", attempt: 1)

    do {
        let telemetry = try Telemetry(configuration(port: port))
        let tracer = telemetry.tracer
        try await telemetry.withRun(run) { _ in
            let context = ServiceContext.current!
            results.append(try await measure("tracer: startSpan, 3 attributes, end", sink: sink, telemetry: telemetry) { i in
                let span = tracer.startSpan("tool call", context: context)
                span.updateAttributes { $0["tool"] = "http.post"; $0["attempt"] = i; $0["ok"] = true }
                span.end()
            })
        }
    }

    do {
        let telemetry = try Telemetry(configuration(port: port))
        try await telemetry.withRun(run) { _ in
            results.append(try await measure("info(template, 2 arguments)", sink: sink, telemetry: telemetry) { i in
                telemetry.info("retrieved {n} docs from {source}", ["n": i, "source": "memoryd"])
            })
        }
    }

    do {
        let telemetry = try Telemetry(configuration(port: port))
        try await telemetry.withRun(run) { _ in
            results.append(try await measure("withSpan(template, 2 arguments) { }", sink: sink, telemetry: telemetry) { i in
                try await telemetry.withSpan("call {tool}", ["tool": "http.post", "attempt": i]) { _ in }
            })
        }
    }
    return results
}

/// Spans measured per scenario (first argument), after `warmup` unmeasured ones.
let spans = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
let warmup = 5_000
let chunk = 5_000

@main
enum TelemetryBench {
    static func main() async throws {
        var logger = Logger(label: "bench-sink")
        logger.logLevel = .error
        let sink = Sink()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: sink.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = ServiceGroup(services: [app], logger: logger)
        let serverTask = Task.detached { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { fatalError("the sink did not start") }

        print("TelemetryBench: \(spans) spans per scenario (after \(warmup) warm-up), \(ProcessInfo.processInfo.activeProcessorCount) CPU(s)")
        print("scenario                               caller CPU ns/span (median of chunks, mean)  wall ns/span  spans/s emit+export  requests  bytes/span")
        for result in try await run(sink: sink, port: port) {
            let cpuPerSpan = Double(result.emitCPUNanos) / Double(spans)
            let wallPerSpan = Double(result.emitNanos) / Double(spans)
            let totalRate = Double(spans) / (Double(result.totalNanos) / 1e9)
            print(result.name.padding(toLength: 38, withPad: " ", startingAt: 0)
                  + String(format: "%27.0f %15.0f %13.0f %20.0f %9d %11.0f", result.medianChunkCPUNanos, cpuPerSpan, wallPerSpan, totalRate, result.requests,
                           Double(result.bytes) / Double(spans + warmup)))
        }
        await server.triggerGracefulShutdown()
        _ = try? await serverTask.value
    }
}
