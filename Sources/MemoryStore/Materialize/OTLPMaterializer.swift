import Foundation
import OTLP
import Redaction

/// Turns decoded OTLP requests into rows. Runs on the request's task, so decoding and
/// row building spread over cores while the single writer only appends.
public enum OTLPMaterializer {
    /// `redactor` (nil turns redaction off) runs on every attribute, name and message first.
    public static func rows(from request: OTLPTraceRequest, redactor: Redactor? = nil) -> TelemetryBatch {
        let redaction = redactor.map(AttributeRedaction.init)
        var batch = TelemetryBatch()
        batch.spans.reserveCapacity(request.resourceSpans.reduce(0) { $0 + $1.scopeSpans.reduce(0) { $0 + $1.spans.count } })
        for resourceSpans in request.resourceSpans {
            let resourceCorrelation = Correlation(resourceSpans.resource.attributes)
            for scopeSpans in resourceSpans.scopeSpans {
                let info = ResourceInfo(resourceSpans.resource, scopeSpans.scope, redaction)
                for span in scopeSpans.spans {
                    if let row = spanRow(span, info, resourceCorrelation, redaction, &batch) { batch.spans.append(row) }
                }
            }
        }
        return batch
    }

    public static func rows(from request: OTLPLogsRequest, redactor: Redactor? = nil) -> TelemetryBatch {
        let redaction = redactor.map(AttributeRedaction.init)
        var batch = TelemetryBatch()
        for resourceLogs in request.resourceLogs {
            let resourceCorrelation = Correlation(resourceLogs.resource.attributes)
            for scopeLogs in resourceLogs.scopeLogs {
                let info = ResourceInfo(resourceLogs.resource, scopeLogs.scope, redaction)
                for record in scopeLogs.logRecords {
                    if let row = logRow(record, info, resourceCorrelation, redaction, &batch) { batch.logs.append(row) }
                }
            }
        }
        return batch
    }

    public static func rows(from request: OTLPMetricsRequest, redactor: Redactor? = nil) -> TelemetryBatch {
        let redaction = redactor.map(AttributeRedaction.init)
        var batch = TelemetryBatch()
        for resourceMetrics in request.resourceMetrics {
            let resourceRunID = Correlation(resourceMetrics.resource.attributes).runID
            for scopeMetrics in resourceMetrics.scopeMetrics {
                let info = ResourceInfo(resourceMetrics.resource, scopeMetrics.scope, redaction)
                for metric in scopeMetrics.metrics {
                    appendPoints(metric, info, resourceRunID, redaction, &batch)
                }
            }
        }
        return batch
    }

    // MARK: Spans

    static func spanRow(_ original: OTLPSpan, _ info: ResourceInfo, _ resourceCorrelation: Correlation,
                                _ redaction: AttributeRedaction?, _ batch: inout TelemetryBatch) -> SpanRow? {
        var span = original
        var redactions: [Redaction] = []
        if let redaction { redact(&span, redaction, into: &redactions) }
        guard span.traceID.count == 16, span.traceID.contains(where: { $0 != 0 }) else {
            batch.reject("span \(span.name.debugDescription): trace_id must be 16 non-zero bytes, got \(span.traceID.count)")
            return nil
        }
        guard span.spanID.count == 8, span.spanID.contains(where: { $0 != 0 }) else {
            batch.reject("span \(span.name.debugDescription): span_id must be 8 non-zero bytes, got \(span.spanID.count)")
            return nil
        }
        guard span.parentSpanID.isEmpty || span.parentSpanID.count == 8 else {
            batch.reject("span \(span.name.debugDescription): parent_span_id must be empty or 8 bytes, got \(span.parentSpanID.count)")
            return nil
        }
        guard let start = Int64(exactly: span.startTimeUnixNano), let end = Int64(exactly: span.endTimeUnixNano) else {
            batch.reject("span \(span.name.debugDescription): timestamp out of range")
            return nil
        }

        var logfire = LogfireAttributes()
        for kv in span.attributes { logfire.absorb(kv) }

        var exception: (type: String?, message: String?, stacktrace: String?)?
        var events: String?
        if !span.events.isEmpty {
            var writer = JSONWriter()
            writer.byte(UInt8(ascii: "["))
            for (i, event) in span.events.enumerated() {
                if i > 0 { writer.byte(UInt8(ascii: ",")) }
                writer.raw("{\"name\":")
                writer.string(event.name)
                writer.raw(",\"time_unix_nano\":")
                writer.int(Int64(truncatingIfNeeded: event.timeUnixNano))
                writer.raw(",\"attributes\":")
                writer.object(event.attributes)
                writer.byte(UInt8(ascii: "}"))
                if event.name == "exception", exception == nil {
                    var found: (type: String?, message: String?, stacktrace: String?) = (nil, nil, nil)
                    for kv in event.attributes {
                        switch kv.key {
                        case "exception.type": found.type = kv.value.text
                        case "exception.message": found.message = kv.value.text
                        case "exception.stacktrace": found.stacktrace = kv.value.text
                        default: break
                        }
                    }
                    exception = found
                }
            }
            writer.byte(UInt8(ascii: "]"))
            events = writer.string
        }

        var links: String?
        if !span.links.isEmpty {
            var writer = JSONWriter()
            writer.byte(UInt8(ascii: "["))
            for (i, link) in span.links.enumerated() {
                if i > 0 { writer.byte(UInt8(ascii: ",")) }
                writer.raw("{\"trace_id\":")
                writer.string(OTLPHex.string(link.traceID))
                writer.raw(",\"span_id\":")
                writer.string(OTLPHex.string(link.spanID))
                writer.raw(",\"attributes\":")
                writer.object(link.attributes)
                writer.byte(UInt8(ascii: "}"))
            }
            writer.byte(UInt8(ascii: "]"))
            links = writer.string
        }

        let statusCode: String
        switch span.status.code {
        case .ok: statusCode = "ok"
        case .error: statusCode = "error"
        default: statusCode = "unset"
        }
        let level = logfire.level ?? (statusCode == "error" || exception != nil ? 17 : 9)

        return SpanRow(
            traceID: OTLPHex.string(span.traceID),
            spanID: OTLPHex.string(span.spanID),
            parentSpanID: span.parentSpanID.isEmpty ? nil : OTLPHex.string(span.parentSpanID),
            traceState: span.traceState.isEmpty ? nil : span.traceState,
            name: span.name,
            spanKind: spanKindName(span.kind),
            startNano: start,
            endNano: end,
            statusCode: statusCode,
            statusMessage: span.status.message.isEmpty ? nil : span.status.message,
            spanType: logfire.spanType ?? "span",
            message: logfire.message ?? span.name,
            level: level,
            tags: logfire.tags,
            isException: exception != nil,
            exceptionType: exception?.type,
            exceptionMessage: exception?.message,
            exceptionStacktrace: exception?.stacktrace,
            resource: info,
            attributes: JSONWriter.object(span.attributes),
            events: events,
            links: links,
            correlation: CorrelationColumns(Correlation(span.attributes).fallingBack(to: resourceCorrelation)),
            flags: Int64(span.flags),
            droppedAttributes: Int64(span.droppedAttributesCount),
            droppedEvents: Int64(span.droppedEventsCount),
            droppedLinks: Int64(span.droppedLinksCount),
            redactions: redactions
        )
    }

    private static func redact(_ span: inout OTLPSpan, _ redaction: AttributeRedaction, into redactions: inout [Redaction]) {
        if let attributes = redaction.attributes(span.attributes, path: "attributes", into: &redactions) {
            span.attributes = attributes
        }
        if let name = redaction.text(span.name, path: "name", into: &redactions) { span.name = name }
        if !span.status.message.isEmpty,
           let message = redaction.text(span.status.message, path: "status_message", into: &redactions) {
            span.status.message = message
        }
        for i in span.events.indices {
            if let attributes = redaction.attributes(span.events[i].attributes, path: "events[\(i)].attributes", into: &redactions) {
                span.events[i].attributes = attributes
            }
        }
        for i in span.links.indices {
            if let attributes = redaction.attributes(span.links[i].attributes, path: "links[\(i)].attributes", into: &redactions) {
                span.links[i].attributes = attributes
            }
        }
    }

    static func spanKindName(_ kind: OTLPSpanKind) -> String {
        switch kind {
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        default: "unspecified"
        }
    }

    // MARK: Logs

    private static func logRow(_ original: OTLPLogRecord, _ info: ResourceInfo, _ resourceCorrelation: Correlation,
                               _ redaction: AttributeRedaction?, _ batch: inout TelemetryBatch) -> LogRow? {
        var record = original
        var redactions: [Redaction] = []
        if let redaction {
            if let attributes = redaction.attributes(record.attributes, path: "attributes", into: &redactions) {
                record.attributes = attributes
            }
            var fields: [SensitiveField] = []
            if record.hasBody, let body = redaction.value(record.body, key: nil, path: "body", into: &redactions, fields: &fields) {
                record.body = body
            }
        }
        guard record.traceID.isEmpty || record.traceID.count == 16 else {
            batch.reject("log record: trace_id must be empty or 16 bytes, got \(record.traceID.count)")
            return nil
        }
        guard record.spanID.isEmpty || record.spanID.count == 8 else {
            batch.reject("log record: span_id must be empty or 8 bytes, got \(record.spanID.count)")
            return nil
        }
        guard let time = Int64(exactly: record.timeUnixNano), let observed = Int64(exactly: record.observedTimeUnixNano) else {
            batch.reject("log record: timestamp out of range")
            return nil
        }
        var logfire = LogfireAttributes()
        for kv in record.attributes { logfire.absorb(kv) }

        var body: String?
        var bodyText: String?
        if record.hasBody, record.body.value != nil {
            var writer = JSONWriter()
            writer.value(record.body)
            body = writer.string
            if case .stringValue(let s) = record.body.value { bodyText = s } else { bodyText = body }
        }
        let attributes = JSONWriter.object(record.attributes)
        let severity = Int32(clamping: record.severityNumber.rawValue)
        let traceID = record.traceID.isEmpty ? nil : OTLPHex.string(record.traceID)
        let spanID = record.spanID.isEmpty ? nil : OTLPHex.string(record.spanID)

        var key = StableKey()
        key.add(time); key.add(observed); key.add(Int64(severity)); key.add(record.severityText)
        key.add(body); key.add(attributes); key.add(traceID); key.add(spanID); key.add(record.eventName)
        key.add(info.attributes); key.add(info.scopeName); key.add(info.scopeVersion)

        return LogRow(
            key: key.hex,
            timeNano: time != 0 ? time : observed,
            recordedTimeNano: time,
            observedTimeNano: observed,
            severityNumber: severity,
            severityText: record.severityText.isEmpty ? nil : record.severityText,
            level: logfire.level ?? (severity > 0 ? min(severity, 255) : 9),
            message: logfire.message ?? bodyText,
            body: body,
            eventName: record.eventName.isEmpty ? nil : record.eventName,
            traceID: traceID,
            spanID: spanID,
            flags: Int64(record.flags),
            resource: info,
            attributes: attributes,
            correlation: CorrelationColumns(Correlation(record.attributes).fallingBack(to: resourceCorrelation)),
            redactions: redactions
        )
    }

    // MARK: Metrics

    private static func appendPoints(_ metric: OTLPMetric, _ info: ResourceInfo, _ resourceRunID: String?,
                                     _ redaction: AttributeRedaction?, _ batch: inout TelemetryBatch) {
        func base(type: String, temporality: String?, monotonic: Bool?, attributes original: [OTLPKeyValue],
                  start: UInt64, time: UInt64, flags: UInt32, exemplars: [OTLPExemplar]) -> MetricPointRow? {
            var redactions: [Redaction] = []
            let attributes = redaction?.attributes(original, path: "attributes", into: &redactions) ?? original
            guard let start = Int64(exactly: start), let time = Int64(exactly: time) else {
                batch.reject("metric \(metric.name.debugDescription): timestamp out of range")
                return nil
            }
            return MetricPointRow(
                key: "", name: metric.name,
                description: metric.description_p.isEmpty ? nil : metric.description_p,
                unit: metric.unit.isEmpty ? nil : metric.unit,
                type: type, temporality: temporality, isMonotonic: monotonic,
                startNano: start, timeNano: time,
                value: nil, intValue: nil, count: nil, sum: nil, min: nil, max: nil,
                buckets: nil, exemplars: exemplarsJSON(exemplars), flags: Int64(flags),
                resource: info, attributes: JSONWriter.object(attributes),
                runID: Correlation(attributes).runID ?? resourceRunID, redactions: redactions)
        }

        switch metric.data {
        case .gauge(let gauge):
            for point in gauge.dataPoints {
                guard var row = base(type: "gauge", temporality: nil, monotonic: nil, attributes: point.attributes,
                                     start: point.startTimeUnixNano, time: point.timeUnixNano, flags: point.flags,
                                     exemplars: point.exemplars) else { continue }
                setNumber(&row, point)
                batch.points.append(keyed(row))
            }
        case .sum(let sum):
            for point in sum.dataPoints {
                guard var row = base(type: "sum", temporality: temporalityName(sum.aggregationTemporality),
                                     monotonic: sum.isMonotonic, attributes: point.attributes,
                                     start: point.startTimeUnixNano, time: point.timeUnixNano, flags: point.flags,
                                     exemplars: point.exemplars) else { continue }
                setNumber(&row, point)
                batch.points.append(keyed(row))
            }
        case .histogram(let histogram):
            for point in histogram.dataPoints {
                guard var row = base(type: "histogram", temporality: temporalityName(histogram.aggregationTemporality),
                                     monotonic: nil, attributes: point.attributes,
                                     start: point.startTimeUnixNano, time: point.timeUnixNano, flags: point.flags,
                                     exemplars: point.exemplars) else { continue }
                row.count = Int64(truncatingIfNeeded: point.count)
                row.sum = point.hasSum ? point.sum : nil
                row.min = point.hasMin ? point.min : nil
                row.max = point.hasMax ? point.max : nil
                var writer = JSONWriter()
                writer.raw("{\"explicit_bounds\":[")
                for (i, bound) in point.explicitBounds.enumerated() {
                    if i > 0 { writer.byte(UInt8(ascii: ",")) }
                    writer.double(bound)
                }
                writer.raw("],\"bucket_counts\":[")
                for (i, count) in point.bucketCounts.enumerated() {
                    if i > 0 { writer.byte(UInt8(ascii: ",")) }
                    writer.int(Int64(truncatingIfNeeded: count))
                }
                writer.raw("]}")
                row.buckets = writer.string
                batch.points.append(keyed(row))
            }
        case .exponentialHistogram(let histogram):
            for point in histogram.dataPoints {
                guard var row = base(type: "exponential_histogram",
                                     temporality: temporalityName(histogram.aggregationTemporality),
                                     monotonic: nil, attributes: point.attributes,
                                     start: point.startTimeUnixNano, time: point.timeUnixNano, flags: point.flags,
                                     exemplars: point.exemplars) else { continue }
                row.count = Int64(truncatingIfNeeded: point.count)
                row.sum = point.hasSum ? point.sum : nil
                row.min = point.hasMin ? point.min : nil
                row.max = point.hasMax ? point.max : nil
                var writer = JSONWriter()
                writer.raw("{\"scale\":")
                writer.int(Int64(point.scale))
                writer.raw(",\"zero_count\":")
                writer.int(Int64(truncatingIfNeeded: point.zeroCount))
                writer.raw(",\"zero_threshold\":")
                writer.double(point.zeroThreshold)
                for (name, buckets) in [("positive", point.positive), ("negative", point.negative)] {
                    writer.byte(UInt8(ascii: ","))
                    writer.string(name)
                    writer.raw(":{\"offset\":")
                    writer.int(Int64(buckets.offset))
                    writer.raw(",\"bucket_counts\":[")
                    for (i, count) in buckets.bucketCounts.enumerated() {
                        if i > 0 { writer.byte(UInt8(ascii: ",")) }
                        writer.int(Int64(truncatingIfNeeded: count))
                    }
                    writer.raw("]}")
                }
                writer.byte(UInt8(ascii: "}"))
                row.buckets = writer.string
                batch.points.append(keyed(row))
            }
        case .summary(let summary):
            for point in summary.dataPoints {
                guard var row = base(type: "summary", temporality: nil, monotonic: nil, attributes: point.attributes,
                                     start: point.startTimeUnixNano, time: point.timeUnixNano, flags: point.flags,
                                     exemplars: []) else { continue }
                row.count = Int64(truncatingIfNeeded: point.count)
                row.sum = point.sum
                var writer = JSONWriter()
                writer.raw("{\"quantile_values\":[")
                for (i, q) in point.quantileValues.enumerated() {
                    if i > 0 { writer.byte(UInt8(ascii: ",")) }
                    writer.raw("{\"quantile\":")
                    writer.double(q.quantile)
                    writer.raw(",\"value\":")
                    writer.double(q.value)
                    writer.byte(UInt8(ascii: "}"))
                }
                writer.raw("]}")
                row.buckets = writer.string
                batch.points.append(keyed(row))
            }
        case nil:
            batch.reject("metric \(metric.name.debugDescription): no data")
        }
    }

    private static func setNumber(_ row: inout MetricPointRow, _ point: OTLPNumberDataPoint) {
        switch point.value {
        case .asDouble(let d): row.value = d
        case .asInt(let i): row.value = Double(i); row.intValue = i
        case nil: break
        }
    }

    private static func temporalityName(_ t: OTLPAggregationTemporality) -> String? {
        switch t {
        case .delta: "delta"
        case .cumulative: "cumulative"
        default: nil
        }
    }

    private static func exemplarsJSON(_ exemplars: [OTLPExemplar]) -> String? {
        guard !exemplars.isEmpty else { return nil }
        var writer = JSONWriter()
        writer.byte(UInt8(ascii: "["))
        for (i, e) in exemplars.enumerated() {
            if i > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.raw("{\"time_unix_nano\":")
            writer.int(Int64(truncatingIfNeeded: e.timeUnixNano))
            writer.raw(",\"value\":")
            switch e.value {
            case .asDouble(let d): writer.double(d)
            case .asInt(let i): writer.int(i)
            case nil: writer.null()
            }
            writer.raw(",\"trace_id\":")
            writer.string(OTLPHex.string(e.traceID))
            writer.raw(",\"span_id\":")
            writer.string(OTLPHex.string(e.spanID))
            writer.raw(",\"attributes\":")
            writer.object(e.filteredAttributes)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.byte(UInt8(ascii: "]"))
        return writer.string
    }

    /// Points are keyed by everything that identifies them, so a retried export dedupes.
    private static func keyed(_ row: MetricPointRow) -> MetricPointRow {
        var row = row
        var key = StableKey()
        key.add(row.name); key.add(row.type); key.add(row.startNano); key.add(row.timeNano)
        key.add(row.attributes); key.add(row.resource.attributes); key.add(row.resource.scopeName)
        key.add(row.value); key.add(row.count ?? -1); key.add(row.sum); key.add(row.buckets)
        row.key = key.hex
        return row
    }
}

extension ResourceInfo {
    init(_ original: OTLPResource, _ scope: OTLPScope, _ redaction: AttributeRedaction?) {
        var resource = original
        var redactions: [Redaction] = []
        if let redaction, let attributes = redaction.attributes(resource.attributes, path: "attributes", into: &redactions) {
            resource.attributes = attributes
        }
        var serviceName: String?
        var serviceVersion: String?
        for kv in resource.attributes {
            if kv.key == "service.name" { serviceName = kv.value.text }
            else if kv.key == "service.version" { serviceVersion = kv.value.text }
        }
        let attributes = JSONWriter.object(resource.attributes)
        var key = StableKey()
        key.add(attributes)
        self.init(resourceID: key.hex, serviceName: serviceName, serviceVersion: serviceVersion,
                  scopeName: scope.name.isEmpty ? nil : scope.name,
                  scopeVersion: scope.version.isEmpty ? nil : scope.version,
                  attributes: attributes, redactions: redactions)
    }
}

/// Logfire's own attributes, which fill the message, level, tags and span type columns.
struct LogfireAttributes {
    var message: String?
    var level: Int32?
    var tags: [String]?
    var spanType: String?

    mutating func absorb(_ kv: OTLPKeyValue) {
        if let role = AttributeRole(key: kv.key) { absorb(role, RoleValue(kv.value)) }
    }

    mutating func absorb(_ role: AttributeRole, _ value: RoleValue) {
        switch role {
        case .logfireMessage: message = value.text
        case .logfireLevel: level = value.integer.map { Int32(clamping: min(max($0, 0), 255)) }
        case .logfireTags: tags = value.strings
        case .logfireSpanType: spanType = value.text
        default: break
        }
    }
}
