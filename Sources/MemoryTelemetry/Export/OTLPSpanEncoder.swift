import Tracing

/// Turns ended spans into one OTLP/HTTP traces request body (`ExportTraceServiceRequest`,
/// protobuf), written by hand: each span's own attributes, Logfire's fields and the source
/// location (`TelemetrySpan.exported`), then the run's correlation attributes (encoded once
/// per run and batch); name, event and link attributes and status message redacted too.
/// Runs on the exporter's task. Building SwiftProtobuf's generated messages and letting it
/// size and serialize them took about 70 % of the export work in profiles.
struct OTLPSpanEncoder: Sendable {
    private let resourceAttributes: [(String, String)]
    private let scrubber: SpanScrubber

    init(resourceAttributes: [(String, String)], scrubber: SpanScrubber) {
        self.resourceAttributes = resourceAttributes
        self.scrubber = scrubber
    }

    func encode(_ spans: some Collection<TelemetrySpan>) -> [UInt8] {
        var writer = ProtobufWriter(capacity: 1024 + spans.count * 768)
        // ExportTraceServiceRequest.resource_spans
        writer.message(1) { resourceSpans in
            // ResourceSpans.resource
            resourceSpans.message(1) { resource in
                for (key, value) in resourceAttributes { Self.keyValue(1, key, .string(value), into: &resource) }
            }
            // ResourceSpans.scope_spans
            resourceSpans.message(2) { scopeSpans in
                scopeSpans.message(1) { scope in
                    scope.stringField(1, "MemoryTelemetry")
                    scope.stringField(2, TelemetryVersion.current)
                }
                var runs: [ObjectIdentifier: [UInt8]] = [:]
                for span in spans { scopeSpans.message(2) { write(span, runs: &runs, into: &$0) } }
            }
        }
        return writer.bytes
    }

    /// A `Span` message's fields, in field-number order.
    private func write(_ span: TelemetrySpan, runs: inout [ObjectIdentifier: [UInt8]], into writer: inout ProtobufWriter) {
        let state = span.finished
        let exported = span.exported(state, scrubber: scrubber)
        writer.traceIDField(1, span.spanContext.traceID)
        writer.bigEndianField(2, span.spanContext.spanID)
        if let traceState = span.spanContext.traceState { writer.stringField(3, traceState) }
        if let parent = span.parentSpanID { writer.bigEndianField(4, parent) }
        writer.stringField(5, exported.name)
        writer.varintField(6, Self.kind(span.kind))
        writer.fixed64Field(7, span.startNanos)
        writer.fixed64Field(8, state.endNanos ?? span.startNanos)
        let run = span.run
        exported.attributes.forEach { key, value in
            guard !exported.derives(key), run?.attributes.get(key) == nil else { return }
            Self.keyValue(9, key, Value(value), into: &writer)
        }
        for (key, value) in exported.derived { Self.keyValue(9, key, Value(value), into: &writer) }
        if let run {
            let id = ObjectIdentifier(run)
            if let encoded = runs[id] {
                writer.append(encoded)
            } else {
                var encoded = ProtobufWriter(capacity: 256)
                Self.keyValues(9, run.attributes, into: &encoded)
                runs[id] = encoded.bytes
                writer.append(encoded.bytes)
            }
        }
        for event in state.events {
            var attributes = event.attributes
            _ = scrubber.scrub(&attributes)
            writer.message(11) { e in
                e.fixed64Field(1, event.nanosecondsSinceEpoch)
                e.stringField(2, event.name)
                Self.keyValues(3, attributes, into: &e)
            }
        }
        for link in state.links {
            guard let linked = link.context[SpanContextKey.self] else { continue }
            var attributes = link.attributes
            _ = scrubber.scrub(&attributes)
            writer.message(13) { l in
                l.traceIDField(1, linked.traceID)
                l.bigEndianField(2, linked.spanID)
                if let traceState = linked.traceState { l.stringField(3, traceState) }
                Self.keyValues(4, attributes, into: &l)
                l.fixed32Field(6, Self.flags(sampled: linked.isSampled, parentIsRemote: linked.isRemote))
            }
        }
        if let status = state.status {
            let message = status.message.map { scrubber.scrub(text: $0) ?? $0 }
            writer.message(15) { s in
                if let message { s.stringField(2, message) }
                s.varintField(3, status.code == .ok ? 1 : 2)
            }
        }
        writer.fixed32Field(16, Self.flags(sampled: span.spanContext.isSampled,
                                           parentIsRemote: span.parentSpanID == nil ? nil : span.parentIsRemote))
    }

    /// W3C trace flags in the low byte; bits 8 and 9 say whether the parent (or linked span)
    /// is remote, as OTLP's `SpanFlags` define.
    static func flags(sampled: Bool, parentIsRemote: Bool?) -> UInt32 {
        var flags: UInt32 = sampled ? 1 : 0
        if let parentIsRemote { flags |= 0x100 | (parentIsRemote ? 0x200 : 0) }
        return flags
    }

    /// OTLP's `SpanKind` numbers.
    static func kind(_ kind: SpanKind) -> UInt64 {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    // MARK: - Attributes

    /// An attribute value as OTLP's `AnyValue` carries it.
    private enum Value {
        case string(String)
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case array([Value])

        init(_ attribute: SpanAttribute) {
            switch attribute {
            case .string(let s): self = .string(s)
            case .int32(let v): self = .int(Int64(v))
            case .int64(let v): self = .int(v)
            case .double(let v): self = .double(v)
            case .bool(let v): self = .bool(v)
            case .stringConvertible(let v): self = .string(v.description)
            case .stringArray(let a): self = .array(a.map { .string($0) })
            case .int32Array(let a): self = .array(a.map { .int(Int64($0)) })
            case .int64Array(let a): self = .array(a.map { .int($0) })
            case .doubleArray(let a): self = .array(a.map { .double($0) })
            case .boolArray(let a): self = .array(a.map { .bool($0) })
            case .stringConvertibleArray(let a): self = .array(a.map { .string($0.description) })
            default: self = .string(Logfire.text(of: attribute))
            }
        }

        /// The encoded size of the `AnyValue` message (its body).
        var size: Int {
            switch self {
            case .string(let s): ProtobufWriter.lengthDelimitedSize(s.utf8.count)
            case .bool: 2
            case .int(let v): 1 + ProtobufWriter.varintSize(UInt64(bitPattern: v))
            case .double: 9
            case .array(let values): ProtobufWriter.lengthDelimitedSize(values.reduce(0) { $0 + ProtobufWriter.lengthDelimitedSize($1.size) })
            }
        }

        /// The `AnyValue` body; the oneof member is written even when it holds its default.
        func write(into writer: inout ProtobufWriter) {
            switch self {
            case .string(let s): writer.stringField(1, s, always: true)
            case .bool(let v): writer.varintField(2, v ? 1 : 0, always: true)
            case .int(let v): writer.varintField(3, UInt64(bitPattern: v), always: true)
            case .double(let v): writer.fixed64Field(4, v.bitPattern, always: true)
            case .array(let values):
                writer.messageHeader(5, size: values.reduce(0) { $0 + ProtobufWriter.lengthDelimitedSize($1.size) })
                for value in values {
                    writer.messageHeader(1, size: value.size)
                    value.write(into: &writer)
                }
            }
        }
    }

    private static func keyValues(_ field: UInt32, _ attributes: SpanAttributes, into writer: inout ProtobufWriter) {
        attributes.forEach { key, value in keyValue(field, key, Value(value), into: &writer) }
    }

    /// A `KeyValue` message, sized up front (attributes are many and small).
    private static func keyValue(_ field: UInt32, _ key: String, _ value: Value, into writer: inout ProtobufWriter) {
        let valueSize = value.size
        writer.messageHeader(field, size: ProtobufWriter.lengthDelimitedSize(key.utf8.count) + ProtobufWriter.lengthDelimitedSize(valueSize))
        writer.stringField(1, key, always: true)
        writer.messageHeader(2, size: valueSize)
        value.write(into: &writer)
    }
}
