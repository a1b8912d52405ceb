import Tracing

/// The tracer agents get, memoryd's own span core behind swift-distributed-tracing's `Tracer`:
/// ids from a per-thread generator, parent-based ratio sampling, ended spans pushed onto a
/// lock-free queue that a background exporter drains. It also carries W3C `traceparent`,
/// `tracestate` and `baggage` (the run's correlation) across processes, and feeds the console.
final class TelemetryTracer: Tracer, Sendable {
    typealias Span = TelemetrySpan

    let scrubber: SpanScrubber
    let console: ConsoleExporter?
    let propagation: Propagation
    private let sampler: Sampler
    /// Nil when nothing is exported (no destination): ended spans only reach the console.
    private let queue: EndedSpanQueue?
    private let batchSize: Int
    /// Tells the exporter a batch is ready (or, from `forceFlush`, to export now).
    private let wakeExporter: AsyncStream<Void>.Continuation?

    init(
        scrubber: SpanScrubber, console: ConsoleExporter?, propagation: Propagation, sampler: Sampler,
        queue: EndedSpanQueue?, batchSize: Int, wakeExporter: AsyncStream<Void>.Continuation?
    ) {
        self.scrubber = scrubber
        self.console = console
        self.propagation = propagation
        self.sampler = sampler
        self.queue = queue
        self.batchSize = batchSize
        self.wakeExporter = wakeExporter
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> TelemetrySpan {
        startSpan(operationName, attributes: SpanAttributes(), logfire: nil, level: nil, context: context(), ofKind: kind,
                  at: instant().nanosecondsSinceEpoch, code: CodeLocation(function: function, file: fileID, line: line))
    }

    /// Starts a span with its first attributes: a child of the context's span (same trace, same
    /// sampling decision), or the root of a new trace, sampled by the trace id.
    func startSpan(
        _ name: String, attributes: consuming SpanAttributes, logfire: LogfireFields?, level: LogLevel?,
        context: ServiceContext, ofKind kind: SpanKind = .internal, at startNanos: UInt64, code: CodeLocation
    ) -> TelemetrySpan {
        let parent = context[SpanContextKey.self]
        let spanContext: SpanContext
        if let parent {
            spanContext = SpanContext(traceID: parent.traceID, spanID: SpanIDGenerator.next64(), isSampled: parent.isSampled,
                                      traceState: parent.traceState, isRemote: false)
        } else {
            let traceID = SpanIDGenerator.nextTraceID()
            spanContext = SpanContext(traceID: traceID, spanID: SpanIDGenerator.next64(), isSampled: sampler.keeps(traceID),
                                      traceState: nil, isRemote: false)
        }
        let depth = console == nil ? nil : (context[DepthKey.self] ?? -1) + 1
        return TelemetrySpan(
            name: name, attributes: attributes, level: level, logfire: logfire, spanContext: spanContext,
            parentSpanID: parent?.spanID, parentIsRemote: parent?.isRemote ?? false, kind: kind, startNanos: startNanos,
            parent: context, run: context[RunKey.self], code: code, depth: depth, tracer: self)
    }

    /// A sampled span has ended: printed when the console is on, queued for export (a full
    /// batch wakes the exporter).
    func ended(_ span: TelemetrySpan) {
        console?.print(span, scrubber: scrubber)
        guard let queue, let queued = queue.push(span) else { return }
        if queued == batchSize { wakeExporter?.yield() }
    }

    /// A run's state, its correlation attributes redacted once for all its spans.
    func runState(_ run: Run) -> RunState {
        var attributes = RunState.correlationAttributes(of: run)
        _ = scrubber.scrub(&attributes)
        return RunState(run, attributes: attributes)
    }

    /// Asks the exporter to send what has ended now rather than at the next interval; it does
    /// not wait. `Telemetry.shutdown()` is the flush that waits.
    func forceFlush() {
        wakeExporter?.yield()
    }

    // MARK: - Propagation

    static let traceparentHeader = "traceparent"
    static let tracestateHeader = "tracestate"
    static let baggageHeader = "baggage"

    /// `traceparent` and `tracestate` for the context's span, then `baggage`: the run's entries
    /// and whatever baggage this context received.
    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        if propagation.traceContext, let span = context[SpanContextKey.self] {
            injector.inject(span.traceparent, forKey: Self.traceparentHeader, into: &carrier)
            if let state = span.traceState { injector.inject(state, forKey: Self.tracestateHeader, into: &carrier) }
        }
        guard propagation.baggage else { return }
        var baggage = context[BaggageKey.self] ?? Baggage()
        if let run = context[RunKey.self]?.run {
            for entry in run.baggage { baggage[entry.key] = entry.value }
        }
        let header = baggage.header
        if !header.isEmpty { injector.inject(header, forKey: Self.baggageHeader, into: &carrier) }
    }

    /// The remote parent span from `traceparent` (a malformed one is ignored, as W3C asks) and,
    /// from `baggage`, the run it belongs to.
    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        if propagation.traceContext, let traceparent = extractor.extract(key: Self.traceparentHeader, from: carrier),
           let span = SpanContext(traceparent: traceparent, traceState: extractor.extract(key: Self.tracestateHeader, from: carrier)) {
            context[SpanContextKey.self] = span
        }
        guard propagation.baggage, let header = extractor.extract(key: Self.baggageHeader, from: carrier) else { return }
        let baggage = Baggage(header: header)
        context[BaggageKey.self] = baggage
        if let run = Run(baggage: baggage) { context[RunKey.self] = runState(run) }
    }
}
