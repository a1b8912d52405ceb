import Synchronization
import Tracing

/// A span of memoryd's own span core. Starting one costs two random numbers, one allocation
/// and whatever the caller passes; ending one, a clock read and a push onto the exporter's
/// queue. Everything else — the run's correlation attributes, Logfire's formatted message and
/// schema, redaction, OTLP encoding — happens on the exporter's task, from what the span holds
/// once it has ended.
///
/// The attributes a span shows (`attributes`) are those its code gave it; the run's
/// correlation and Logfire's fields are added on export.
final class TelemetrySpan: Span {
    let spanContext: SpanContext
    /// The parent's span id; nil for a trace's root.
    let parentSpanID: UInt64?
    let parentIsRemote: Bool
    let kind: SpanKind
    let startNanos: UInt64
    /// The run whose correlation attributes the exported span gets.
    let run: RunState?
    /// Set by `Telemetry`'s calls: the span then reads as Logfire's (message, type, schema).
    let logfire: LogfireFields?
    /// Where the span was started, sent as `code.function`, `code.filepath`, `code.lineno` as
    /// Logfire's SDK does.
    let code: CodeLocation
    /// Nesting depth, kept only for the console.
    let depth: Int?
    private let parent: ServiceContext
    private let tracer: TelemetryTracer
    private let state: Mutex<State>
    /// The next span in `EndedSpanQueue`'s stack; written only by the thread pushing this span
    /// (before the push publishes it) and by the exporter after taking it.
    nonisolated(unsafe) var next: UInt = 0

    /// What the span's code can change until it ends.
    struct State: Sendable {
        var name: String
        var attributes: SpanAttributes
        /// `logfire.level_num`; set to error by `recordError`.
        var level: LogLevel?
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus?
        var endNanos: UInt64?
    }

    init(
        name: String, attributes: consuming SpanAttributes, level: LogLevel?, logfire: LogfireFields?,
        spanContext: SpanContext, parentSpanID: UInt64?, parentIsRemote: Bool, kind: SpanKind, startNanos: UInt64,
        parent: ServiceContext, run: RunState?, code: CodeLocation, depth: Int?, tracer: TelemetryTracer
    ) {
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.parentIsRemote = parentIsRemote
        self.kind = kind
        self.startNanos = startNanos
        self.logfire = logfire
        self.run = run
        self.code = code
        self.depth = depth
        self.parent = parent
        self.tracer = tracer
        state = Mutex(State(name: name, attributes: attributes, level: level))
    }

    /// The parent's context with this span as the current one.
    var context: ServiceContext {
        var context = parent
        context[SpanContextKey.self] = spanContext
        if let depth { context[DepthKey.self] = depth }
        return context
    }

    /// Sampled and not yet ended.
    var isRecording: Bool {
        spanContext.isSampled && state.withLock { $0.endNanos == nil }
    }

    var operationName: String {
        get { state.withLock { $0.name } }
        set { update { $0.name = newValue } }
    }

    var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { update { $0.attributes = newValue } }
    }

    /// As OpenTelemetry specifies: `ok` is final.
    func setStatus(_ status: SpanStatus) {
        update { state in
            guard state.status?.code != .ok else { return }
            state.status = status
        }
    }

    func addEvent(_ event: SpanEvent) {
        update { $0.events.append(event) }
    }

    func addLink(_ link: SpanLink) {
        update { $0.links.append(link) }
    }

    /// As Logfire's `record_exception`: an `exception` event (type, message, stack trace), error
    /// status `Type: message`, and the error level.
    func recordError<Instant: TracerInstant>(_ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard spanContext.isSampled else { return }
        let exception = ExceptionDescription(error)
        var eventAttributes = exception.attributes
        eventAttributes.merge(attributes)
        let event = SpanEvent(name: "exception", at: instant(), attributes: eventAttributes)
        update { state in
            state.events.append(event)
            if state.status?.code != .ok { state.status = SpanStatus(code: .error, message: exception.statusMessage) }
            state.level = .error
        }
    }

    /// Ends the span once (later calls do nothing) and hands it to the exporter.
    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard spanContext.isSampled else { return }
        let end = instant().nanosecondsSinceEpoch
        let first = state.withLock { state in
            guard state.endNanos == nil else { return false }
            state.endNanos = end
            return true
        }
        if first { tracer.ended(self) }
    }

    /// What the span held when it ended; only read after `end`.
    var finished: State { state.withLock { $0 } }

    /// Changes made after the end, or to a span that is not sampled, are dropped.
    private func update(_ change: (inout State) -> Void) {
        guard spanContext.isSampled else { return }
        state.withLock { state in
            if state.endNanos == nil { change(&state) }
        }
    }
}

/// The source location a span was started from (`#function`, `#fileID`, `#line`).
struct CodeLocation: Sendable {
    let function: String
    let file: String
    let line: UInt
}

/// What makes a span read as Logfire's: its message template (also its name), `span` or `log`,
/// and tags. The formatted message and the arguments' schema are derived from these and the
/// attributes on export.
struct LogfireFields: Sendable {
    let template: String
    let spanType: String
    let tags: [String]
}
