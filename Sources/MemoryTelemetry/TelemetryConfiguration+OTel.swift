import Foundation
import OTel

/// A configuration `Telemetry` cannot start with; the message names the property or variable.
public struct TelemetryConfigurationError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

extension TelemetryConfiguration {
    /// The environment variable behind `console`.
    static let consoleVariable = "MEMORY_TELEMETRY_CONSOLE"

    /// `console` after `MEMORY_TELEMETRY_CONSOLE`.
    func resolvedConsole(environment: [String: String]) throws(TelemetryConfigurationError) -> Bool {
        guard let raw = environment[Self.consoleVariable] else { return console }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw TelemetryConfigurationError("\(Self.consoleVariable)=\(raw): expected true or false")
        }
    }

    /// swift-otel's configuration for the traces backend (its metrics and logs stay off: agents
    /// keep their own). swift-otel applies the `OTEL_*` variables on top of it.
    func otelConfiguration(environment: [String: String]) throws(TelemetryConfigurationError) -> OTel.Configuration {
        guard (0 ... 1).contains(samplingRatio) else {
            throw TelemetryConfigurationError("samplingRatio \(samplingRatio): expected a number from 0 to 1")
        }
        guard batchSize > 0, maxQueueSize >= batchSize else {
            throw TelemetryConfigurationError("batchSize \(batchSize), maxQueueSize \(maxQueueSize): expected 0 < batchSize ≤ maxQueueSize")
        }
        // swift-otel stops the process (fatalError) on any propagator but W3C trace context; a
        // clear error is kinder. W3C baggage is propagated by this library itself.
        if let raw = environment["OTEL_PROPAGATORS"],
           raw.split(separator: ",").contains(where: { !["tracecontext", "none"].contains($0.trimmingCharacters(in: .whitespaces)) }) {
            throw TelemetryConfigurationError(
                "OTEL_PROPAGATORS=\(raw): only tracecontext is supported (MemoryTelemetry adds W3C baggage itself); set it to tracecontext or unset it")
        }

        var c = OTel.Configuration.default
        c.serviceName = serviceName
        c.resourceAttributes = resourceAttributes
        if let serviceVersion { c.resourceAttributes["service.version"] = serviceVersion }
        c.diagnosticLogLevel = .warning
        c.propagators = [.traceContext]
        c.metrics.enabled = false
        c.logs.enabled = false
        c.traces.sampler = samplingRatio == 1 ? .parentBasedAlwaysOn : .parentBasedTraceIDRatio(ratio: samplingRatio)!
        c.traces.batchSpanProcessor.maxExportBatchSize = batchSize
        c.traces.batchSpanProcessor.maxQueueSize = maxQueueSize
        c.traces.batchSpanProcessor.scheduleDelay = batchInterval
        c.traces.batchSpanProcessor.exportTimeout = exportTimeout
        c.traces.otlpExporter.timeout = exportTimeout
        c.traces.otlpExporter.protocol = .httpProtobuf

        switch destination.kind {
        case .otlp(let baseURL, let headers):
            c.traces.otlpExporter.endpoint = Self.tracesURL(baseURL)
            c.traces.otlpExporter.headers = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        case .logfire(let token, let baseURL):
            guard let token = token ?? environment["LOGFIRE_TOKEN"], !token.isEmpty else {
                throw TelemetryConfigurationError("Logfire needs a write token: pass .logfire(token:) or set LOGFIRE_TOKEN")
            }
            c.traces.otlpExporter.endpoint = Self.tracesURL(baseURL ?? Destination.logfireBaseURL(forToken: token))
            c.traces.otlpExporter.headers = [("Authorization", token)]
            c.traces.otlpExporter.compression = .gzip
        case .none:
            c.traces.exporter = .none
        }
        return c
    }

    /// `<base>/v1/traces`, as OTLP/HTTP derives the traces URL from a base endpoint.
    static func tracesURL(_ baseURL: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/v1/traces"
    }
}
