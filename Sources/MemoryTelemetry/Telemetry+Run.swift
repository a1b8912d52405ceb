import Tracing

extension Telemetry {
    /// Template of the run span.
    static let runTemplate = "run {dome.run.id}"

    /// Runs `body` as one agent run: a new trace whose root span is the run, with the run's
    /// correlation attributes (`dome.run.id`, `dome.packet.id`, `dome.milestone`, `dome.agent`,
    /// `dome.attempt`, `gen_ai.agent.name`) on every span started inside, in child tasks and
    /// task groups too, and in the baggage sent to other processes. `body` gets the run with its
    /// id filled in. An error thrown by `body` marks the run span failed and is rethrown.
    public func withRun<T>(
        _ run: Run = Run(), attributes: Arguments = [:], tags: [String] = [],
        function: String = #function, file fileID: String = #fileID, line: UInt = #line,
        isolation: isolated (any Actor)? = #isolation, _ body: (Run) async throws -> T
    ) async throws -> T {
        var context = ServiceContext.topLevel
        context[RunKey.self] = core.runState(run)
        var arguments = attributes.spanAttributes
        arguments[Run.idKey] = run.id
        arguments["gen_ai.operation.name"] = "invoke_agent"
        let span = core.startSpan(
            Self.runTemplate, attributes: arguments, logfire: LogfireFields(template: Self.runTemplate, spanType: "span", tags: tags),
            level: nil, context: context, at: DefaultTracerClock.now.nanosecondsSinceEpoch,
            code: CodeLocation(function: function, file: fileID, line: line))
        return try await within(span, context: span.context) { _ in try await body(run) }
    }

    /// The run the current task works for, if any.
    public static var currentRun: Run? { ServiceContext.current?[RunKey.self]?.run }
}
