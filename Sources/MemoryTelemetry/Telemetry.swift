import Contracts
import Foundation
import OTel
import Redaction
import Tracing

/// Instrumentation for an agent: runs, stages, logs and domain events, exported over OTLP to a
/// memoryd (or any OTLP backend, or Logfire) in Logfire's conventions.
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
    let core: any TelemetryTracing
    let contracts: ContractRegistry
    private let exporter: ExportService

    /// Starts exporting (a background task) with `configuration`, after the environment
    /// overrides named on its properties. Use `bootstrap` to also install the tracer for the
    /// whole process.
    public init(_ configuration: TelemetryConfiguration = TelemetryConfiguration()) throws(TelemetryConfigurationError) {
        let environment = ProcessInfo.processInfo.environment
        let otel = try configuration.otelConfiguration(environment: environment)
        let console = try configuration.resolvedConsole(environment: environment)
        let redactor: Redactor
        do {
            redactor = try Redactor(configuration: configuration.redaction)
            contracts = try ContractRegistry.pinned()
        } catch {
            throw TelemetryConfigurationError("\(error)")
        }
        do {
            let backend = try OTel.makeTracingBackend(configuration: otel)
            core = TelemetryTracer(base: backend.factory, scrubber: SpanScrubber(redactor: redactor),
                                   console: console ? ConsoleExporter() : nil)
            exporter = ExportService(backend.service)
        } catch {
            throw TelemetryConfigurationError("swift-otel: \(error)")
        }
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
    /// `inject`/`extract` carry `traceparent` and `baggage` for any carrier type).
    public var tracer: any Tracer { core }

    /// Stops exporting after sending every span that has ended. Call it before the process
    /// exits; spans ended afterwards are dropped.
    public func shutdown() async {
        await exporter.shutdown()
    }
}

/// `TelemetryTracer`, with swift-otel's tracer type erased so `Telemetry` can hold it.
protocol TelemetryTracing: Tracer {
    func startSpan(
        _ operationName: String, attributes: consuming SpanAttributes, context: ServiceContext, ofKind kind: SpanKind,
        at instant: some TracerInstant, function: String, file fileID: String, line: UInt
    ) -> Span

    func runState(_ run: Run) -> RunState
}

extension TelemetryTracer: TelemetryTracing {}
