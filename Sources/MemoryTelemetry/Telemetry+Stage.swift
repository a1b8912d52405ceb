import Tracing

extension Telemetry {
    /// Template of stage spans.
    static let stageTemplate = "stage {dome.stage}"

    /// Runs `body` as a stage of the current run: a span `stage <name>` with `dome.stage` and
    /// `dome.stage.index` (the run's next index unless given, e.g. by a process resuming a run
    /// elsewhere), timed by its start and end. When `body` throws, the stage gets an
    /// `exception` event (type, message, stack trace), error status and level, and the error is
    /// rethrown.
    public func withStage<T>(
        _ name: String, index: Int? = nil, attributes: Arguments = [:], tags: [String] = [],
        function: String = #function, file fileID: String = #fileID, line: UInt = #line,
        isolation: isolated (any Actor)? = #isolation, _ body: (any Span) async throws -> T
    ) async throws -> T {
        let context = ServiceContext.current ?? .topLevel
        var arguments = attributes.spanAttributes
        arguments["dome.stage"] = name
        arguments["dome.stage.index"] = index ?? context[RunKey.self]?.takeStageIndex() ?? 0
        let span = core.startSpan(
            Self.stageTemplate, attributes: arguments, logfire: LogfireFields(template: Self.stageTemplate, spanType: "span", tags: tags),
            level: nil, context: context, at: DefaultTracerClock.now.nanosecondsSinceEpoch,
            code: CodeLocation(function: function, file: fileID, line: line))
        var inner = span.context
        inner[StageKey.self] = name
        return try await within(span, context: inner, body)
    }
}
