@testable import MemoryTelemetry
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsSendToALocalMemoryd() throws {
        let resolved = try TelemetryConfiguration(serviceName: "planner").resolved(environment: [:])
        #expect(resolved.endpoints == [OTLPHTTPEndpoint(url: "http://127.0.0.1:4318/v1/traces", headers: [:], gzip: false)])
        #expect(resolved.batchSize == 512)
        #expect(resolved.maxQueueSize == 2048)
        #expect(resolved.batchInterval == .seconds(1))
        #expect(resolved.exportTimeout == .seconds(10))
        #expect(resolved.samplingRatio == 1)
        #expect(resolved.console == false)
        #expect(resolved.propagation == Propagation(traceContext: true, baggage: true))
        #expect(resolved.resourceAttributes["service.name"] == "planner")
        #expect(resolved.resourceAttributes["telemetry.sdk.language"] == "swift")
    }

    @Test func logfireTokenAndRegion() throws {
        let eu = try TelemetryConfiguration(destination: .logfire(token: "pylf_v1_eu_abc123")).resolved(environment: [:])
        #expect(eu.endpoints == [OTLPHTTPEndpoint(url: "https://logfire-eu.pydantic.dev/v1/traces",
                                                  headers: ["Authorization": "pylf_v1_eu_abc123"], gzip: true)])

        let fromEnvironment = try TelemetryConfiguration(destination: .logfire()).resolved(environment: ["LOGFIRE_TOKEN": "pylf_v1_us_xyz"])
        #expect(fromEnvironment.endpoints.map(\.url) == ["https://logfire-us.pydantic.dev/v1/traces"])

        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(destination: .logfire()).resolved(environment: [:])
        }
    }

    /// memoryd and Logfire at once; the standard endpoint variables move only the primary one.
    @Test func memorydAndLogfireAtOnce() throws {
        let configuration = TelemetryConfiguration(destination: .memoryd(), additionalDestinations: [.logfire(token: "pylf_v1_eu_t")])
        let resolved = try configuration.resolved(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://10.0.0.5:4318/"])
        #expect(resolved.endpoints.map(\.url) == ["http://10.0.0.5:4318/v1/traces", "https://logfire-eu.pydantic.dev/v1/traces"])
        #expect(resolved.endpoints.map(\.gzip) == [false, true])
        // The same destination twice is sent to once.
        let twice = try TelemetryConfiguration(additionalDestinations: [.memoryd()]).resolved(environment: [:])
        #expect(twice.endpoints.count == 1)
    }

    @Test func anyOTLPBackendWithHeaders() throws {
        let resolved = try TelemetryConfiguration(destination: .otlp("https://collector.example/otlp/", headers: ["x-api-key": "k"]))
            .resolved(environment: [:])
        #expect(resolved.endpoints == [OTLPHTTPEndpoint(url: "https://collector.example/otlp/v1/traces", headers: ["x-api-key": "k"], gzip: false)])
    }

    @Test func standardVariablesOverrideCode() throws {
        let configuration = TelemetryConfiguration(
            serviceName: "from-code", serviceVersion: "1.0", resourceAttributes: ["team": "dome"],
            destination: .otlp("http://127.0.0.1:4318", headers: ["x-api-key": "k"]))
        let resolved = try configuration.resolved(environment: [
            "OTEL_SERVICE_NAME": "from-env",
            "OTEL_RESOURCE_ATTRIBUTES": "service.version=2.0, deployment.environment.name=ci%20run",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://base.example:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces.example:4318/custom/path",
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc,x-tenant=t1",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-tenant=t2",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0.25",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "64",
            "OTEL_BSP_MAX_QUEUE_SIZE": "128",
            "OTEL_PROPAGATORS": "tracecontext",
            "OTEL_SDK_DISABLED": "",
        ])
        #expect(resolved.resourceAttributes["service.name"] == "from-env")
        #expect(resolved.resourceAttributes["service.version"] == "2.0")
        #expect(resolved.resourceAttributes["deployment.environment.name"] == "ci run")
        #expect(resolved.resourceAttributes["team"] == "dome")
        #expect(resolved.endpoints == [OTLPHTTPEndpoint(
            url: "http://traces.example:4318/custom/path",
            headers: ["x-api-key": "k", "authorization": "Bearer abc", "x-tenant": "t2"], gzip: true)])
        #expect(resolved.exportTimeout == .milliseconds(2500))
        #expect(resolved.samplingRatio == 0.25)
        #expect(resolved.batchInterval == .milliseconds(200))
        #expect(resolved.batchSize == 64)
        #expect(resolved.maxQueueSize == 128)
        #expect(resolved.propagation == Propagation(traceContext: true, baggage: false))
    }

    @Test func exportSwitchedOffOrToTheConsole() throws {
        let configuration = TelemetryConfiguration()
        #expect(try configuration.resolved(environment: ["OTEL_SDK_DISABLED": "true"]).endpoints.isEmpty)
        let console = try configuration.resolved(environment: ["OTEL_TRACES_EXPORTER": "console"])
        #expect(console.endpoints.isEmpty && console.console)
        let both = try configuration.resolved(environment: ["OTEL_TRACES_EXPORTER": "otlp,console"])
        #expect(both.endpoints.count == 1 && both.console)
        #expect(try configuration.resolved(environment: ["OTEL_TRACES_EXPORTER": "none"]).endpoints.isEmpty)
        #expect(try TelemetryConfiguration(destination: .none).resolved(environment: [:]).endpoints.isEmpty)
        #expect(try configuration.resolved(environment: ["OTEL_TRACES_SAMPLER": "always_off"]).samplingRatio == 0)
    }

    @Test func consoleFromTheEnvironment() throws {
        let configuration = TelemetryConfiguration()
        #expect(try configuration.resolvedConsole(environment: ["MEMORY_TELEMETRY_CONSOLE": "1"]))
        #expect(try !TelemetryConfiguration(console: true).resolvedConsole(environment: ["MEMORY_TELEMETRY_CONSOLE": "false"]))
        #expect(throws: TelemetryConfigurationError.self) {
            try configuration.resolvedConsole(environment: ["MEMORY_TELEMETRY_CONSOLE": "maybe"])
        }
    }

    @Test(arguments: [
        ["OTEL_PROPAGATORS": "tracecontext,b3"],
        ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"],
        ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"],
        ["OTEL_TRACES_SAMPLER": "jaeger_remote"],
        ["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"],
        ["OTEL_TRACES_EXPORTER": "zipkin"],
        ["OTEL_BSP_SCHEDULE_DELAY": "soon"],
        ["OTEL_BSP_MAX_QUEUE_SIZE": "-1"],
        ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "4096"],
        ["OTEL_EXPORTER_OTLP_ENDPOINT": "not a url"],
        ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "ftp://host/v1/traces"],
        ["OTEL_EXPORTER_OTLP_HEADERS": "novalue"],
        ["OTEL_EXPORTER_OTLP_COMPRESSION": "brotli"],
        ["OTEL_EXPORTER_OTLP_TIMEOUT": "0"],
        ["MEMORY_TELEMETRY_CONSOLE": "perhaps"],
    ])
    func refusedVariables(_ environment: [String: String]) {
        #expect(throws: TelemetryConfigurationError.self) { try TelemetryConfiguration().resolved(environment: environment) }
    }

    @Test func refusedConfigurations() {
        #expect(throws: TelemetryConfigurationError.self) { try TelemetryConfiguration(samplingRatio: 1.5).resolved(environment: [:]) }
        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(batchSize: 4096, maxQueueSize: 2048).resolved(environment: [:])
        }
        #expect(throws: TelemetryConfigurationError.self) { try TelemetryConfiguration(batchInterval: .zero).resolved(environment: [:]) }
        #expect(throws: TelemetryConfigurationError.self) {
            try TelemetryConfiguration(destination: .memoryd("localhost:4318")).resolved(environment: [:])
        }
    }
}
