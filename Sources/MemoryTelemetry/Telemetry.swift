import Contracts
import Foundation
import Logging
import Redaction
import Tracing

/// Instrumentation for an agent: runs, stages, logs and domain events, exported over OTLP to a
/// memoryd (and/or any OTLP backend, Logfire) in Logfire's conventions.
///
/// ```swift
/// let telemetry = try Telemetry.bootstrap(TelemetryConfiguration(serviceName: "planner"))
/// try await telemetry.withRun(Run(packetID: "pkt-42", agent: "planner")) { run in
///     try await telemetry.withStage("plan") { _ in
///         telemetry.info("plan ready with {n_steps} steps", ["n_steps": 4])
///     }
/// }
/// await telemetry.shutdown()   // exports every span that has ended
/// ```
///
/// Everything reads the task-local `ServiceContext`, so spans started in child tasks and task
/// groups join the current run and stage without passing anything around. `tracer` is a
/// swift-distributed-tracing `Tracer` for libraries that take one; `bootstrap` also installs it
/// process-wide, so their spans are correlated and redacted too.
public final class Telemetry: Sendable {
    let core: TelemetryTracer
    let contracts: ContractRegistry
    private let exporter: ExportService?

    /// Starts exporting (a background task) with `configuration`, after the environment
    /// overrides named on its properties. Use `bootstrap` to also install the tracer for the
    /// whole process.
    public init(_ configuration: TelemetryConfiguration = TelemetryConfiguration()) throws(TelemetryConfigurationError) {
        let resolved = try configuration.resolved(environment: ProcessInfo.processInfo.environment)
        let redactor: Redactor
        do {
            redactor = try Redactor(configuration: configuration.redaction)
            contracts = try ContractRegistry.pinned()
        } catch {
            throw TelemetryConfigurationError("\(error)")
        }
        let scrubber = SpanScrubber(redactor: redactor)
        let console = resolved.console ? ConsoleExporter() : nil
        let sampler = Sampler(ratio: resolved.samplingRatio)
        guard !resolved.endpoints.isEmpty else {
            core = TelemetryTracer(scrubber: scrubber, console: console, propagation: resolved.propagation, sampler: sampler,
                                   queue: nil, batchSize: resolved.batchSize, wakeExporter: nil)
            exporter = nil
            return
        }
        let queue = EndedSpanQueue(capacity: resolved.maxQueueSize)
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        core = TelemetryTracer(scrubber: scrubber, console: console, propagation: resolved.propagation, sampler: sampler,
                               queue: queue, batchSize: resolved.batchSize, wakeExporter: wake)
        var logger = Logger(label: "MemoryTelemetry")
        logger.logLevel = .warning
        let encoder = OTLPSpanEncoder(resourceAttributes: resolved.resourceAttributes.sorted { $0.key < $1.key }, scrubber: scrubber)
        exporter = ExportService(SpanExporter(
            queue: queue, encoder: encoder, endpoints: resolved.endpoints, batchSize: resolved.batchSize,
            batchInterval: resolved.batchInterval, exportTimeout: resolved.exportTimeout, wakeups: wakeups, wake: wake,
            logger: logger), logger: logger)
    }

    /// `init`, and the tracer installed as the process's `InstrumentationSystem` tracer, so
    /// spans of libraries instrumented with swift-distributed-tracing are exported, correlated
    /// and redacted too. Once per process.
    public static func bootstrap(_ configuration: TelemetryConfiguration = TelemetryConfiguration()) throws(TelemetryConfigurationError) -> Telemetry {
        let telemetry = try Telemetry(configuration)
        InstrumentationSystem.bootstrap(telemetry.core)
        return telemetry
    }

    /// The swift-distributed-tracing tracer behind this instance (an `Instrument` too: its
    /// `inject`/`extract` carry `traceparent`, `tracestate` and `baggage` for any carrier type).
    public var tracer: any Tracer { core }

    /// Stops exporting after sending every span that has ended. Call it before the process
    /// exits; spans ended afterwards are dropped.
    public func shutdown() async {
        await exporter?.shutdown()
    }
}
