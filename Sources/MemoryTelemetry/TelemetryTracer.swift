import Tracing

/// The tracer agents get: swift-otel's tracer underneath, plus what swift-otel 1.6 offers no
/// hook for (its span processors and exporters are internal): the run's correlation
/// attributes on every span, redaction of everything a span carries before swift-otel can
/// export it, W3C baggage next to `traceparent`, and the console.
final class TelemetryTracer<Base: Tracer>: Tracer, Sendable {
    let base: Base
    let scrubber: SpanScrubber
    let console: ConsoleExporter?

    init(base: Base, scrubber: SpanScrubber, console: ConsoleExporter?) {
        self.base = base
        self.scrubber = scrubber
        self.console = console
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> TelemetrySpan<Base> {
        startSpan(operationName, attributes: [:], context: context(), ofKind: kind, at: instant(),
                  function: function, file: fileID, line: line)
    }

    /// Starts a span with its first attributes (redacted) and the run's correlation attributes,
    /// which win over arguments of the same name.
    func startSpan(
        _ operationName: String, attributes: consuming SpanAttributes, context: ServiceContext, ofKind kind: SpanKind = .internal,
        at instant: some TracerInstant, function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) -> TelemetrySpan<Base> {
        var parent = context
        if console != nil { parent[DepthKey.self] = (context[DepthKey.self] ?? -1) + 1 }
        let name = scrubber.scrub(text: operationName) ?? operationName
        let span = base.startSpan(name, context: parent, ofKind: kind, at: instant, function: function, file: fileID, line: line)
        if span.isRecording {
            _ = scrubber.scrub(&attributes)
            if let run = context[RunKey.self] {
                attributes.reserveCapacity(attributes.count + run.attributes.count)
                attributes.merge(run.attributes)
            }
            if !attributes.isEmpty { span.attributes = attributes }
        }
        return TelemetrySpan(base: span, tracer: self, start: instant.nanosecondsSinceEpoch)
    }

    /// A run's state, its correlation attributes redacted once for all its spans.
    func runState(_ run: Run) -> RunState {
        var attributes = RunState.correlationAttributes(of: run)
        _ = scrubber.scrub(&attributes)
        return RunState(run, attributes: attributes)
    }

    /// Does nothing: swift-otel 1.6's force flush exports its queue without emptying it, so
    /// every queued span would be sent twice. `Telemetry.shutdown()` is the flush.
    func forceFlush() {}

    // MARK: - Propagation

    static var baggageHeader: String { "baggage" }

    /// `traceparent` (swift-otel), then `baggage`: the run's entries and whatever baggage this
    /// context received.
    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        base.inject(context, into: &carrier, using: injector)
        var baggage = context[BaggageKey.self] ?? Baggage()
        if let run = context[RunKey.self]?.run {
            for entry in run.baggage { baggage[entry.key] = entry.value }
        }
        let header = baggage.header
        if !header.isEmpty { injector.inject(header, forKey: Self.baggageHeader, into: &carrier) }
    }

    /// The remote parent (swift-otel) and, from `baggage`, the run it belongs to.
    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        base.extract(carrier, into: &context, using: extractor)
        guard let header = extractor.extract(key: Self.baggageHeader, from: carrier) else { return }
        let baggage = Baggage(header: header)
        context[BaggageKey.self] = baggage
        if let run = Run(baggage: baggage) { context[RunKey.self] = runState(run) }
    }
}
