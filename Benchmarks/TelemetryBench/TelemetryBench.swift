import Foundation
import Hummingbird
import Logging
import MemoryTelemetry
import OTel
import ServiceLifecycle
import Tracing

// Cost of a span on the hot path (start + three attributes + end) with the OTLP exporter
// attached, sending to an OTLP/HTTP sink in this process: the CPU time the emitting thread
// spends per span, the wall time per span, and the rate at which spans are emitted and
// exported. Pin it to one core to measure what one core can do, exporter included:
//
//     taskset -c 0 .build/release/TelemetryBench [spans]
//
// Scenarios: swift-otel's tracer alone (the baseline), the same calls through Telemetry's
// tracer (run correlation + redaction added), and Telemetry's Logfire-style `info` (message
// formatting and schema on top).


/// Accepts OTLP/HTTP trace exports and drops them.
func sink() -> Router<BasicRequestContext> {
    let router = Router()
    router.post("/v1/traces") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 256 << 20)
        return Response(status: .ok, headers: [.contentType: "application/x-protobuf"], body: .init())
    }
    return router
}

struct Result {
    let name: String
    /// CPU time of the emitting thread: what the instrumented code pays, whatever else runs.
    let emitCPUNanos: UInt64
    let emitNanos: UInt64
    let totalNanos: UInt64
}

/// CPU time consumed by the calling thread so far.
func threadCPUNanos() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Emits `warmup + spans` spans with `emit`, then shuts the exporter down (which sends what
/// is queued); times the measured spans and the whole run including export.
func measure(_ name: String, shutdown: () async -> Void, _ emit: (Int) -> Void) async -> Result {
    for i in 0 ..< warmup { emit(i) }
    // The loop never suspends, so it runs on one thread and that thread's CPU time is its cost.
    let cpuStart = threadCPUNanos()
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0 ..< spans { emit(i) }
    let emitted = DispatchTime.now().uptimeNanoseconds
    let cpu = threadCPUNanos() - cpuStart
    await shutdown()
    let done = DispatchTime.now().uptimeNanoseconds
    return Result(name: name, emitCPUNanos: cpu, emitNanos: emitted - start, totalNanos: done - start)
}

func configuration(port: Int) -> TelemetryConfiguration {
    // A queue that holds every span, so none is dropped and all are exported.
    TelemetryConfiguration(serviceName: "telemetry-bench", destination: .memoryd("http://127.0.0.1:\(port)"),
                           batchSize: 4096, maxQueueSize: spans + warmup + 4096)
}

func run(port: Int) async throws -> [Result] {
    var results: [Result] = []
    let run = Run(id: "run-bench", packetID: "pkt-bench", milestone: "LM-01", agent: "bench", attempt: 1)

    // swift-otel alone.
    do {
        var otel = OTel.Configuration.default
        otel.serviceName = "telemetry-bench"
        otel.metrics.enabled = false
        otel.logs.enabled = false
        otel.diagnosticLogLevel = .error
        otel.traces.otlpExporter.endpoint = "http://127.0.0.1:\(port)/v1/traces"
        otel.traces.batchSpanProcessor.maxExportBatchSize = 4096
        otel.traces.batchSpanProcessor.maxQueueSize = spans + warmup + 4096
        otel.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        let backend = try OTel.makeTracingBackend(configuration: otel)
        let tracer = backend.factory
        let group = ServiceGroup(services: [backend.service], logger: Logger(label: "bench"))
        let task = Task.detached { try? await group.run() }
        results.append(await measure("swift-otel tracer (baseline)", shutdown: {
            await group.triggerGracefulShutdown()
            await task.value
        }) { i in
            let span = tracer.startSpan("tool call")
            span.updateAttributes { $0["tool"] = "http.post"; $0["attempt"] = i; $0["ok"] = true }
            span.end()
        })
    }

    // The same calls through Telemetry's tracer, inside a run.
    do {
        let telemetry = try Telemetry(configuration(port: port))
        let tracer = telemetry.tracer
        try await telemetry.withRun(run) { _ in
            let context = ServiceContext.current!
            results.append(await measure("Telemetry tracer (run attributes, redaction)", shutdown: { await telemetry.shutdown() }) { i in
                let span = tracer.startSpan("tool call", context: context)
                span.updateAttributes { $0["tool"] = "http.post"; $0["attempt"] = i; $0["ok"] = true }
                span.end()
            })
        }
    }

    // Logfire-style log events.
    do {
        let telemetry = try Telemetry(configuration(port: port))
        try await telemetry.withRun(run) { _ in
            results.append(await measure("Telemetry info(template, arguments)", shutdown: { await telemetry.shutdown() }) { i in
                telemetry.info("retrieved {n} docs from {source}", ["n": i, "source": "memoryd"])
            })
        }
    }
    return results
}

/// Spans measured per scenario (first argument), after `warmup` unmeasured ones.
let spans = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
let warmup = 5_000

@main
enum TelemetryBench {
    static func main() async throws {
        var logger = Logger(label: "bench-sink")
        logger.logLevel = .error
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: sink(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let server = ServiceGroup(services: [app], logger: logger)
        let serverTask = Task.detached { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { fatalError("the sink did not start") }

        print("TelemetryBench: \(spans) spans per scenario (after \(warmup) warm-up), \(ProcessInfo.processInfo.activeProcessorCount) CPU(s)")
        print("scenario                                       ns/span caller CPU   ns/span wall   spans/s emit + export")
        for result in try await run(port: port) {
            let cpuPerSpan = Double(result.emitCPUNanos) / Double(spans)
            let wallPerSpan = Double(result.emitNanos) / Double(spans)
            let totalRate = Double(spans) / (Double(result.totalNanos) / 1e9)
            print(result.name.padding(toLength: 46, withPad: " ", startingAt: 0)
                  + String(format: "%20.0f %14.0f %23.0f", cpuPerSpan, wallPerSpan, totalRate))
        }
        await server.triggerGracefulShutdown()
        _ = try? await serverTask.value
    }
}
