import Foundation

/// A configuration `Telemetry` cannot start with; the message names the property or variable.
public struct TelemetryConfigurationError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// What `Telemetry` runs with: the configuration after the environment's overrides, validated.
struct ResolvedTelemetryConfiguration: Sendable {
    /// The resource's attributes, `service.name` and `telemetry.sdk.*` included.
    var resourceAttributes: [String: String]
    /// Where every batch is sent; empty when nothing is exported.
    var endpoints: [OTLPHTTPEndpoint]
    var samplingRatio: Double
    var batchSize: Int
    var maxQueueSize: Int
    var batchInterval: Duration
    var exportTimeout: Duration
    var console: Bool
    var propagation: Propagation
}

extension TelemetryConfiguration {
    /// The environment variable behind `console`.
    static let consoleVariable = "MEMORY_TELEMETRY_CONSOLE"

    /// The configuration with the variables named on its properties applied over it (a variable
    /// that is set wins over code), validated; an unusable value is an error naming it.
    func resolved(environment: [String: String]) throws(TelemetryConfigurationError) -> ResolvedTelemetryConfiguration {
        let env = Environment(values: environment)

        // Resource: code, then OTEL_RESOURCE_ATTRIBUTES over it, then OTEL_SERVICE_NAME.
        var resource = resourceAttributes
        if let serviceVersion { resource["service.version"] = serviceVersion }
        if let raw = env["OTEL_RESOURCE_ATTRIBUTES"] {
            for (key, value) in try Self.keyValueList(raw, variable: "OTEL_RESOURCE_ATTRIBUTES") { resource[key] = value }
        }
        let name = env["OTEL_SERVICE_NAME"] ?? resource["service.name"] ?? serviceName
        resource["service.name"] = name
        resource["telemetry.sdk.name"] = "MemoryTelemetry"
        resource["telemetry.sdk.language"] = "swift"
        resource["telemetry.sdk.version"] = TelemetryVersion.current

        // Exporters: OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER can switch export off or the console on.
        var exportsOTLP = env["OTEL_SDK_DISABLED"]?.lowercased() != "true"
        var console = try resolvedConsole(environment: environment)
        if let raw = env["OTEL_TRACES_EXPORTER"] {
            let names = Self.list(raw)
            if let unknown = names.first(where: { !["otlp", "console", "none"].contains($0) }) {
                throw TelemetryConfigurationError("OTEL_TRACES_EXPORTER=\(raw): \(unknown) is not supported (otlp, console or none)")
            }
            exportsOTLP = exportsOTLP && names.contains("otlp")
            console = console || names.contains("console")
        }

        var endpoints: [OTLPHTTPEndpoint] = []
        if exportsOTLP {
            if let primary = try primaryEndpoint(env) { endpoints.append(primary) }
            for destination in additionalDestinations {
                if let endpoint = try destination.endpoint(environment: env), !endpoints.contains(endpoint) { endpoints.append(endpoint) }
            }
        }

        var ratio = samplingRatio
        if let sampler = env["OTEL_TRACES_SAMPLER"] {
            switch sampler.lowercased() {
            case "always_on", "parentbased_always_on": ratio = 1
            case "always_off", "parentbased_always_off": ratio = 0
            case "traceidratio", "parentbased_traceidratio":
                let argument = env["OTEL_TRACES_SAMPLER_ARG"] ?? "1"
                guard let value = Double(argument), (0 ... 1).contains(value) else {
                    throw TelemetryConfigurationError("OTEL_TRACES_SAMPLER_ARG=\(argument): expected a number from 0 to 1")
                }
                ratio = value
            default:
                throw TelemetryConfigurationError(
                    "OTEL_TRACES_SAMPLER=\(sampler): not supported (always_on, always_off, traceidratio and their parentbased_ forms)")
            }
        }
        guard (0 ... 1).contains(ratio) else {
            throw TelemetryConfigurationError("samplingRatio \(ratio): expected a number from 0 to 1")
        }

        let batchSize = try env.positiveInteger("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") ?? self.batchSize
        let maxQueueSize = try env.positiveInteger("OTEL_BSP_MAX_QUEUE_SIZE") ?? self.maxQueueSize
        guard batchSize > 0, maxQueueSize >= batchSize else {
            throw TelemetryConfigurationError("batchSize \(batchSize), maxQueueSize \(maxQueueSize): expected 0 < batchSize ≤ maxQueueSize")
        }
        let batchInterval = try env.milliseconds("OTEL_BSP_SCHEDULE_DELAY") ?? self.batchInterval
        var exportTimeout = self.exportTimeout
        if let (variable, _) = env.first("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_BSP_EXPORT_TIMEOUT"),
           let timeout = try env.milliseconds(variable) {
            exportTimeout = timeout
        }
        guard batchInterval > .zero, exportTimeout > .zero else {
            throw TelemetryConfigurationError("batchInterval \(batchInterval), exportTimeout \(exportTimeout): expected both above zero")
        }

        var propagation = Propagation()
        if let raw = env["OTEL_PROPAGATORS"] {
            let names = Self.list(raw)
            if let unknown = names.first(where: { !["tracecontext", "baggage", "none"].contains($0) }) {
                throw TelemetryConfigurationError("OTEL_PROPAGATORS=\(raw): \(unknown) is not supported (tracecontext, baggage or none)")
            }
            propagation = Propagation(traceContext: names.contains("tracecontext"), baggage: names.contains("baggage"))
        }

        return ResolvedTelemetryConfiguration(
            resourceAttributes: resource, endpoints: endpoints, samplingRatio: ratio, batchSize: batchSize,
            maxQueueSize: maxQueueSize, batchInterval: batchInterval, exportTimeout: exportTimeout, console: console,
            propagation: propagation)
    }

    /// `console` after `MEMORY_TELEMETRY_CONSOLE`.
    func resolvedConsole(environment: [String: String]) throws(TelemetryConfigurationError) -> Bool {
        guard let raw = environment[Self.consoleVariable] else { return console }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw TelemetryConfigurationError("\(Self.consoleVariable)=\(raw): expected true or false")
        }
    }

    /// `destination` with the `OTEL_EXPORTER_OTLP_*` variables applied: an endpoint variable
    /// replaces its URL (and makes one when the destination is `.none`), header variables add
    /// to its headers, the compression variable sets gzip.
    private func primaryEndpoint(_ env: Environment) throws(TelemetryConfigurationError) -> OTLPHTTPEndpoint? {
        if let (variable, value) = env.first("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"),
           value.lowercased() != "http/protobuf" {
            throw TelemetryConfigurationError("\(variable)=\(value): only http/protobuf is supported")
        }
        var endpoint = try destination.endpoint(environment: env)
        if let url = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] {
            try Self.checkURL(url, variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            endpoint = OTLPHTTPEndpoint(url: url, headers: endpoint?.headers ?? [:], gzip: endpoint?.gzip ?? false)
        } else if let base = env["OTEL_EXPORTER_OTLP_ENDPOINT"] {
            try Self.checkURL(base, variable: "OTEL_EXPORTER_OTLP_ENDPOINT")
            endpoint = OTLPHTTPEndpoint(url: Self.tracesURL(base), headers: endpoint?.headers ?? [:], gzip: endpoint?.gzip ?? false)
        }
        guard var endpoint else { return nil }
        for variable in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            guard let raw = env[variable] else { continue }
            for (name, value) in try Self.keyValueList(raw, variable: variable) { endpoint.headers[name] = value }
        }
        if let (variable, value) = env.first("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION") {
            switch value.lowercased() {
            case "gzip": endpoint.gzip = true
            case "none", "": endpoint.gzip = false
            default: throw TelemetryConfigurationError("\(variable)=\(value): expected gzip or none")
            }
        }
        return endpoint
    }

    /// `<base>/v1/traces`, as OTLP/HTTP derives the traces URL from a base endpoint.
    static func tracesURL(_ baseURL: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/v1/traces"
    }

    static func checkURL(_ url: String, variable: String) throws(TelemetryConfigurationError) {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host?.isEmpty == false else {
            throw TelemetryConfigurationError("\(variable) \(url): expected an http(s) URL")
        }
    }

    /// `key=value,key=value` (W3C baggage syntax, as the OTel variables use), values
    /// percent-decoded.
    static func keyValueList(_ raw: String, variable: String) throws(TelemetryConfigurationError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for member in raw.split(separator: ",") where !member.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = member.split(separator: "=", maxSplits: 1)
            let key = parts.first?.trimmingCharacters(in: .whitespaces) ?? ""
            guard parts.count == 2, !key.isEmpty,
                  let value = parts[1].trimmingCharacters(in: .whitespaces).removingPercentEncoding else {
                throw TelemetryConfigurationError("\(variable): \(member) is not key=value")
            }
            pairs.append((key, value))
        }
        return pairs
    }

    /// A comma-separated list, trimmed and lowercased.
    static func list(_ raw: String) -> [String] {
        raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }
}

extension TelemetryConfiguration.Destination {
    /// The endpoint this destination names; nil for `.none`.
    func endpoint(environment env: Environment) throws(TelemetryConfigurationError) -> OTLPHTTPEndpoint? {
        switch kind {
        case .otlp(let baseURL, let headers):
            try TelemetryConfiguration.checkURL(baseURL, variable: "destination")
            return OTLPHTTPEndpoint(url: TelemetryConfiguration.tracesURL(baseURL), headers: headers, gzip: false)
        case .logfire(let token, let baseURL):
            guard let token = token ?? env["LOGFIRE_TOKEN"], !token.isEmpty else {
                throw TelemetryConfigurationError("Logfire needs a write token: pass .logfire(token:) or set LOGFIRE_TOKEN")
            }
            let base = baseURL ?? Self.logfireBaseURL(forToken: token)
            try TelemetryConfiguration.checkURL(base, variable: "logfire baseURL")
            return OTLPHTTPEndpoint(url: TelemetryConfiguration.tracesURL(base), headers: ["Authorization": token], gzip: true)
        case .none:
            return nil
        }
    }
}

/// Environment variables, with the readers the configuration needs. An empty value counts as
/// unset, as the OpenTelemetry specification asks.
struct Environment {
    let values: [String: String]

    subscript(name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// The first of `names` that is set, with its value.
    func first(_ names: String...) -> (String, String)? {
        for name in names { if let value = self[name] { return (name, value) } }
        return nil
    }

    func positiveInteger(_ name: String) throws(TelemetryConfigurationError) -> Int? {
        guard let raw = self[name] else { return nil }
        guard let value = Int(raw), value > 0 else { throw TelemetryConfigurationError("\(name)=\(raw): expected a positive integer") }
        return value
    }

    func milliseconds(_ name: String) throws(TelemetryConfigurationError) -> Duration? {
        try positiveInteger(name).map { .milliseconds($0) }
    }
}
