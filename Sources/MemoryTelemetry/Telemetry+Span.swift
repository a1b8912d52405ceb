import Tracing

extension Telemetry {
    /// A span in Logfire's style around `body`: named by its message template, with the
    /// formatted message, the arguments and their schema, and the run's correlation. An error
    /// thrown by `body` is recorded (exception event, error status and level) and rethrown.
    ///
    /// ```swift
    /// try await telemetry.withSpan("retrieve {source}", ["source": "memoryd"]) { span in … }
    /// ```
    public func withSpan<T>(
        _ template: String, _ arguments: Arguments = [:], tags: [String] = [], level: LogLevel? = nil,
        function: String = #function, file fileID: String = #fileID, line: UInt = #line,
        isolation: isolated (any Actor)? = #isolation, _ body: (any Span) async throws -> T
    ) async throws -> T {
        let span = core.startSpan(
            template, attributes: arguments.spanAttributes, logfire: LogfireFields(template: template, spanType: "span", tags: tags),
            level: level, context: ServiceContext.current ?? .topLevel, at: DefaultTracerClock.now.nanosecondsSinceEpoch,
            code: CodeLocation(function: function, file: fileID, line: line))
        return try await within(span, context: span.context, body)
    }

    /// Runs `body` with `span` current (child tasks included) and this instance's tracer as the
    /// task's tracer, so spans started inside through swift-distributed-tracing land here too.
    /// A thrown error is recorded on the span (see `TelemetrySpan.recordError`), which ends
    /// either way.
    func within<T>(
        _ span: any Span, context: ServiceContext, isolation: isolated (any Actor)? = #isolation,
        _ body: (any Span) async throws -> T
    ) async throws -> T {
        defer { span.end() }
        do {
            return try await ServiceContext.withValue(context) {
                try await withTracer(core) { try await body(span) }
            }
        } catch {
            span.recordError(error)
            throw error
        }
    }
}
