import Tracing

extension Telemetry {
    /// Adds W3C `traceparent` and `baggage` (the run's correlation) for the current task's
    /// context, or `context`, to the headers of an outgoing request. For other header types,
    /// call `tracer.inject(_:into:using:)` with an `Injector` of your own.
    public func inject(into headers: inout [String: String], context: ServiceContext? = nil) {
        core.inject(context ?? ServiceContext.current ?? .topLevel, into: &headers, using: HeaderDictionaryInjector())
    }

    /// The context an incoming request's headers describe: its remote parent span and, from
    /// `baggage`, the run it belongs to. Header names match case-insensitively.
    public func extract(from headers: [String: String]) -> ServiceContext {
        var context = ServiceContext.topLevel
        core.extract(headers, into: &context, using: HeaderDictionaryExtractor())
        return context
    }

    /// Runs `body` as part of the request's trace and run (see `extract(from:)`): spans
    /// started inside are children of the caller's span and carry the run's correlation.
    public func withExtractedContext<T>(
        from headers: [String: String], isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        try await ServiceContext.withValue(extract(from: headers)) {
            try await withTracer(core) { try await body() }
        }
    }
}

/// Writes headers into a `[String: String]` (lowercase names, as HTTP/2 sends them).
struct HeaderDictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout [String: String]) {
        headers[key] = value
    }
}

/// Reads headers from a `[String: String]`, ignoring the case of names.
struct HeaderDictionaryExtractor: Extractor {
    func extract(key: String, from headers: [String: String]) -> String? {
        headers[key] ?? headers.first { $0.key.lowercased() == key.lowercased() }?.value
    }
}
