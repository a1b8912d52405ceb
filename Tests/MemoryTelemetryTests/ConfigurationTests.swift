@testable import MemoryTelemetry
import OTel
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsSendToALocalMemoryd() throws {
        let configuration = TelemetryConfiguration()
        #expect(configuration.destination == .memoryd())
        let otel = try configuration.otelConfiguration(environment: [:])
        #expect(otel.traces.otlpExporter.endpoint == "http://127.0.0.1:4318/v1/traces")
        #expect(otel.traces.batchSpanProcessor.maxExportBatchSize == 512)
        #expect(otel.traces.batchSpanProcessor.scheduleDelay == .seconds(1))
        #expect(otel.metrics.enabled == false)
        #expect(otel.logs.enabled == false)
        #expect(try configuration.resolvedConsole(environment: [:]) == false)
    }

    @Test func logfireTokenAndRegion() throws {
        let eu = try TelemetryConfiguration(destination: .logfire(token: "pylf_v1_eu_abc123")).otelConfiguration(environment: [:])
        #expect(eu.traces.otlpExporter.endpoint == "https://logfire-eu.pydantic.dev/v1/traces")
        #expect(eu.traces.otlpExporter.headers.map { "\($0.0)=\($0.1)" } == ["Authorization=pylf_v1_eu_abc123"])

        let fromEnvironment = try TelemetryConfiguration(destination: .logfire())
            .otelConfiguration(environment: ["LOGFIRE_TOKEN": "pylf_v1_us_xyz"])
        #expect(fromEnvironment.traces.otlpExporter.endpoint == "https://logfire-us.pydantic.dev/v1/traces")

        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(destination: .logfire()).otelConfiguration(environment: [:])
        }
    }

    @Test func anyOTLPBackendWithHeaders() throws {
        let otel = try TelemetryConfiguration(destination: .otlp("https://collector.example/otlp/", headers: ["x-api-key": "k"]))
            .otelConfiguration(environment: [:])
        #expect(otel.traces.otlpExporter.endpoint == "https://collector.example/otlp/v1/traces")
        #expect(otel.traces.otlpExporter.headers.map { "\($0.0)=\($0.1)" } == ["x-api-key=k"])
    }

    @Test func consoleFromTheEnvironment() throws {
        let configuration = TelemetryConfiguration()
        #expect(try configuration.resolvedConsole(environment: ["MEMORY_TELEMETRY_CONSOLE": "1"]))
        #expect(try !TelemetryConfiguration(console: true).resolvedConsole(environment: ["MEMORY_TELEMETRY_CONSOLE": "false"]))
        #expect(throws: TelemetryConfigurationError.self) {
            try configuration.resolvedConsole(environment: ["MEMORY_TELEMETRY_CONSOLE": "maybe"])
        }
    }

    @Test func refusedConfigurations() {
        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(samplingRatio: 1.5).otelConfiguration(environment: [:])
        }
        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(batchSize: 4096, maxQueueSize: 2048).otelConfiguration(environment: [:])
        }
        // swift-otel would stop the process on these; Telemetry refuses them with a reason.
        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration().otelConfiguration(environment: ["OTEL_PROPAGATORS": "tracecontext,baggage"])
        }
        #expect(throws: Never.self) {
            try TelemetryConfiguration().otelConfiguration(environment: ["OTEL_PROPAGATORS": "tracecontext"])
        }
    }
}
