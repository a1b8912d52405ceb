import Tracing

extension Telemetry {
    /// A log-style event, as Logfire's SDK sends one: a span that ends where it starts, named by
    /// its message template, with `logfire.span_type` `log`, the level, the formatted message
    /// and the arguments. With `error`, it also carries the error's `exception` event and
    /// error status.
    ///
    /// ```swift
    /// telemetry.log(.info, "retrieved {n} docs from {source}", ["n": 3, "source": "memoryd"])
    /// ```
    public func log(
        _ level: LogLevel, _ template: String, _ arguments: Arguments = [:], tags: [String] = [], error: Error? = nil,
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) {
        emitLog(level, template, arguments.spanAttributes, tags: tags, error: error, function: function, file: fileID, line: line)
    }

    /// `log` with arguments already converted, for the events this library builds itself.
    func emitLog(
        _ level: LogLevel, _ template: String, _ arguments: consuming SpanAttributes, tags: [String] = [], error: Error? = nil,
        function: String, file fileID: String, line: UInt
    ) {
        let now = DefaultTracerClock.now
        let span = core.startSpan(
            template, attributes: arguments, logfire: LogfireFields(template: template, spanType: "log", tags: tags), level: level,
            context: ServiceContext.current ?? .topLevel, at: now.nanosecondsSinceEpoch,
            code: CodeLocation(function: function, file: fileID, line: line))
        if let error {
            // Logged, not thrown out of the span: `exception.escaped` is false.
            span.recordError(error, attributes: ["exception.escaped": false], at: now)
        }
        span.end(at: now)
    }

    /// `log(.debug, …)`
    public func debug(
        _ template: String, _ arguments: Arguments = [:], tags: [String] = [],
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) {
        log(.debug, template, arguments, tags: tags, function: function, file: fileID, line: line)
    }

    /// `log(.info, …)`
    public func info(
        _ template: String, _ arguments: Arguments = [:], tags: [String] = [],
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) {
        log(.info, template, arguments, tags: tags, function: function, file: fileID, line: line)
    }

    /// `log(.warn, …)`
    public func warn(
        _ template: String, _ arguments: Arguments = [:], tags: [String] = [],
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) {
        log(.warn, template, arguments, tags: tags, function: function, file: fileID, line: line)
    }

    /// `log(.error, …)`, with the error that caused it when there is one.
    public func error(
        _ template: String, _ arguments: Arguments = [:], tags: [String] = [], error: Error? = nil,
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) {
        log(.error, template, arguments, tags: tags, error: error, function: function, file: fileID, line: line)
    }
}
