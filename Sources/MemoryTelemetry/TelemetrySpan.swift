import Tracing

/// A swift-otel span seen through `TelemetryTracer`: whatever is written to it is redacted on
/// the way in, so the span swift-otel exports never held a secret; errors are recorded the way
/// Logfire records exceptions.
struct TelemetrySpan<BaseTracer: Tracer>: Span {
    let base: BaseTracer.Span
    let tracer: TelemetryTracer<BaseTracer>
    /// Start time, for the console's duration.
    let start: UInt64

    var context: ServiceContext { base.context }

    var isRecording: Bool { base.isRecording }

    var operationName: String {
        get { base.operationName }
        nonmutating set { base.operationName = tracer.scrubber.scrub(text: newValue) ?? newValue }
    }

    /// Redacted as a whole on every write, so the message redaction sees all template fields.
    var attributes: SpanAttributes {
        get { base.attributes }
        nonmutating set {
            var attributes = newValue
            _ = tracer.scrubber.scrub(&attributes)
            base.attributes = attributes
        }
    }

    func setStatus(_ status: SpanStatus) {
        base.setStatus(tracer.scrubber.scrub(status))
    }

    func addEvent(_ event: SpanEvent) {
        base.addEvent(tracer.scrubber.scrub(event))
    }

    func addLink(_ link: SpanLink) {
        var attributes = link.attributes
        base.addLink(tracer.scrubber.scrub(&attributes) ? SpanLink(context: link.context, attributes: attributes) : link)
    }

    /// As Logfire's `record_exception`: an `exception` event (type, message, stack trace), error
    /// status `Type: message`, and the error level.
    func recordError<Instant: TracerInstant>(_ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard base.isRecording else { return }
        let exception = ExceptionDescription(error)
        var eventAttributes = exception.attributes
        eventAttributes.merge(attributes)
        base.addEvent(tracer.scrubber.scrub(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes)))
        base.setStatus(tracer.scrubber.scrub(SpanStatus(code: .error, message: exception.statusMessage)))
        base.updateAttributes { $0[Logfire.levelNum] = LogLevel.error.rawValue }
    }

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let console = tracer.console else { return base.end(at: instant()) }
        guard base.isRecording else { return }
        let end = instant()
        let attributes = base.attributes
        let message = attributes.get(Logfire.msg).map(Logfire.text(of:)) ?? base.operationName
        let level = attributes.get(Logfire.levelNum).flatMap { value -> LogLevel? in
            if case .int64(let n) = value { LogLevel(rawValue: Int(n)) } else { nil }
        }
        let isLog = attributes.get(Logfire.spanType) == .string("log")
        base.end(at: end)
        console.print(message: message, level: level, isError: level == .error, depth: context[DepthKey.self] ?? 0,
                      start: start, end: end.nanosecondsSinceEpoch, isLog: isLog)
    }
}
