import Foundation
import Redaction

/// Everything `Telemetry` can be told. Start from `TelemetryConfiguration()` (the defaults) and
/// set what differs.
///
/// One rule for the environment, OpenTelemetry's: a variable that is set (and not empty)
/// overrides the value given in code. The variables are named on each property; besides those,
/// `OTEL_SDK_DISABLED=true` turns export off, `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `none`)
/// picks the exporters and `OTEL_PROPAGATORS` (`tracecontext`, `baggage`, `none`) the headers
/// carried across processes. A value that cannot be used is an error naming the variable.
public struct TelemetryConfiguration: Sendable {
    /// `service.name` on every span's resource.
    /// Env: `OTEL_SERVICE_NAME`. Default: the executable's name.
    public var serviceName: String

    /// `service.version` on the resource.
    /// Env: `OTEL_RESOURCE_ATTRIBUTES` (`service.version=…`). Default: none.
    public var serviceVersion: String?

    /// More resource attributes (`deployment.environment.name`, …).
    /// Env: `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`, merged over these). Default: none.
    public var resourceAttributes: [String: String]

    /// Where spans are sent: a memoryd, any OTLP/HTTP backend, or Logfire (see `Destination`).
    /// Env: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (full URL) or `OTEL_EXPORTER_OTLP_ENDPOINT` (base
    /// URL, `/v1/traces` appended) replace its URL; `OTEL_EXPORTER_OTLP[_TRACES]_HEADERS` add
    /// headers, `…_COMPRESSION` (`gzip`, `none`) sets compression; `…_PROTOCOL` may only be
    /// `http/protobuf`. Default: `.memoryd()`, `http://127.0.0.1:4318`.
    public var destination: Destination

    /// More destinations that receive every span too, e.g. `[.logfire()]` next to a memoryd.
    /// Each batch is encoded once and sent to all destinations at once; one that fails or is
    /// slow does not stop the others. The `OTEL_EXPORTER_OTLP_*` variables leave these alone.
    /// Env: `LOGFIRE_TOKEN` for `.logfire()`. Default: none.
    public var additionalDestinations: [Destination]

    /// Share of new traces that are kept (1 keeps all), decided by the trace id; a span follows
    /// its parent's decision, local or remote (`traceparent`'s sampled flag).
    /// Env: `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio`, and their
    /// `parentbased_` forms, all parent-based here), `OTEL_TRACES_SAMPLER_ARG`. Default: 1.
    public var samplingRatio: Double

    /// Most spans per export request.
    /// Env: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`. Default: 512.
    public var batchSize: Int

    /// Longest a finished span waits before its batch is sent.
    /// Env: `OTEL_BSP_SCHEDULE_DELAY` (milliseconds). Default: 1 s (OTel's 5 s is long for an
    /// agent that reads its own memory back).
    public var batchInterval: Duration

    /// Finished spans held while exports are slow; beyond this, new spans are dropped.
    /// Env: `OTEL_BSP_MAX_QUEUE_SIZE`. Default: 2048.
    public var maxQueueSize: Int

    /// Longest one export request may take.
    /// Env: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, `OTEL_EXPORTER_OTLP_TIMEOUT` or
    /// `OTEL_BSP_EXPORT_TIMEOUT` (milliseconds). Default: 10 s.
    public var exportTimeout: Duration

    /// Prints every span and log to stderr as it ends, for local runs.
    /// Env: `MEMORY_TELEMETRY_CONSOLE` (`true`/`false`, `1`/`0`), or `console` in
    /// `OTEL_TRACES_EXPORTER`. Default: false.
    public var console: Bool

    /// Redaction rules (memoryd's `Redaction` module), applied to span names, attributes, event
    /// and link attributes, status messages and formatted messages before anything is encoded
    /// for export or printed.
    /// Redaction cannot be switched off. Env: none. Default: the built-in rules.
    public var redaction: RedactionConfiguration

    public init(
        serviceName: String = ProcessInfo.processInfo.processName,
        serviceVersion: String? = nil,
        resourceAttributes: [String: String] = [:],
        destination: Destination = .memoryd(),
        additionalDestinations: [Destination] = [],
        samplingRatio: Double = 1,
        batchSize: Int = 512,
        batchInterval: Duration = .seconds(1),
        maxQueueSize: Int = 2048,
        exportTimeout: Duration = .seconds(10),
        console: Bool = false,
        redaction: RedactionConfiguration = RedactionConfiguration()
    ) {
        self.serviceName = serviceName
        self.serviceVersion = serviceVersion
        self.resourceAttributes = resourceAttributes
        self.destination = destination
        self.additionalDestinations = additionalDestinations
        self.samplingRatio = samplingRatio
        self.batchSize = batchSize
        self.batchInterval = batchInterval
        self.maxQueueSize = maxQueueSize
        self.exportTimeout = exportTimeout
        self.console = console
        self.redaction = redaction
    }
}
