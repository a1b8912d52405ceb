import Foundation

/// What a fixture's `.decoded.json` (spec-conformant OTLP/JSON written by the Python
/// generator, independent of memoryd's decoder) says the request holds, flattened to the
/// items memoryd stores: spans, log records and metric data points.
struct ExpectedTelemetry: Sendable {
    struct Span: Sendable {
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        var name: String
        var kind: Int64
        var start: Int64
        var end: Int64
        var statusCode: Int64
        var statusMessage: String?
        var serviceName: String?
        var scopeName: String?
        /// Attribute values as memoryd's JSON columns hold them (`{"key": value}`).
        var attributes: [String: JSONValue]
        var eventNames: [String]
        var exception: (type: String?, message: String?, stacktrace: String?)?
        var linkCount: Int

        var spanType: String? { attributes["logfire.span_type"]?.stringValue }
        var isPending: Bool { spanType == "pending_span" }
        var logfireMessage: String? { attributes["logfire.msg"]?.stringValue }
        var logfireLevel: Int64? { attributes["logfire.level_num"]?.int64Value }
        var tags: [String]? { attributes["logfire.tags"]?.arrayValue?.compactMap(\.stringValue) }
        var ownRunID: String? {
            attributes["dome.run.id"]?.stringValue ?? attributes["run.id"]?.stringValue ?? attributes["run_id"]?.stringValue
        }
        var ownPacketID: String? {
            attributes["dome.packet.id"]?.stringValue ?? attributes["packet.id"]?.stringValue
                ?? attributes["packet_id"]?.stringValue
        }
        var key: String { traceID + "/" + spanID }
    }

    struct Log: Sendable {
        var time: Int64
        var observedTime: Int64
        var severityNumber: Int64
        var severityText: String?
        var body: JSONValue?
        var attributes: [String: JSONValue]
        var traceID: String?
        var spanID: String?
        var eventName: String?
        var serviceName: String?
        var scopeName: String?
        var resourceAttributes: [String: JSONValue]

        var runID: String? { attributes["dome.run.id"]?.stringValue ?? attributes["run.id"]?.stringValue }
        /// Identity of the record's content: a retried or re-encoded copy has the same.
        var contentKey: String {
            [String(time), String(observedTime), String(severityNumber), severityText ?? "-", body?.description ?? "-",
             JSONValue.object(attributes).description, traceID ?? "-", spanID ?? "-", eventName ?? "-",
             JSONValue.object(resourceAttributes).description, scopeName ?? "-"].joined(separator: "|")
        }
    }

    struct Point: Sendable {
        var metricName: String
        /// gauge, sum, histogram, exponential_histogram or summary (memoryd's names).
        var type: String
        var temporality: Int64?
        var isMonotonic: Bool?
        var start: Int64
        var time: Int64
        var attributes: [String: JSONValue]
        var serviceName: String?
        var scopeName: String?
        /// The data point object itself (asInt/asDouble, count, sum, buckets, …).
        var point: JSONValue
        var resourceAttributes: [String: JSONValue]

        var contentKey: String {
            [metricName, type, String(start), String(time), JSONValue.object(attributes).description,
             point.description, JSONValue.object(resourceAttributes).description, scopeName ?? "-"].joined(separator: "|")
        }
    }

    var spans: [Span] = []
    var logs: [Log] = []
    var points: [Point] = []

    var realSpans: [Span] { spans.filter { !$0.isPending } }
    var pendingSpans: [Span] { spans.filter(\.isPending) }

    /// The run id memoryd should store for `span`: its own, else its trace's (inheritance).
    func expectedRunID(of span: Span) -> String? {
        span.ownRunID ?? spans.first { $0.traceID == span.traceID && $0.ownRunID != nil }?.ownRunID
    }

    init(decodedJSON data: Data) throws {
        let root = try JSONValue(data: data)
        for resourceSpans in root["resourceSpans"]?.arrayValue ?? [] {
            let resource = Self.attributes(resourceSpans["resource"]?["attributes"])
            for scopeSpans in resourceSpans["scopeSpans"]?.arrayValue ?? [] {
                let scope = scopeSpans["scope"]?["name"]?.stringValue
                for span in scopeSpans["spans"]?.arrayValue ?? [] {
                    spans.append(Self.span(span, service: resource["service.name"]?.stringValue, scope: scope))
                }
            }
        }
        for resourceLogs in root["resourceLogs"]?.arrayValue ?? [] {
            let resource = Self.attributes(resourceLogs["resource"]?["attributes"])
            for scopeLogs in resourceLogs["scopeLogs"]?.arrayValue ?? [] {
                let scope = scopeLogs["scope"]?["name"]?.stringValue
                for record in scopeLogs["logRecords"]?.arrayValue ?? [] {
                    logs.append(Log(
                        time: record["timeUnixNano"]?.int64Value ?? 0,
                        observedTime: record["observedTimeUnixNano"]?.int64Value ?? 0,
                        severityNumber: record["severityNumber"]?.int64Value ?? 0,
                        severityText: record["severityText"]?.stringValue,
                        body: record["body"].map(Self.anyValue),
                        attributes: Self.attributes(record["attributes"]),
                        traceID: Self.id(record["traceId"]),
                        spanID: Self.id(record["spanId"]),
                        eventName: record["eventName"]?.stringValue,
                        serviceName: resource["service.name"]?.stringValue,
                        scopeName: scope,
                        resourceAttributes: resource))
                }
            }
        }
        for resourceMetrics in root["resourceMetrics"]?.arrayValue ?? [] {
            let resource = Self.attributes(resourceMetrics["resource"]?["attributes"])
            for scopeMetrics in resourceMetrics["scopeMetrics"]?.arrayValue ?? [] {
                let scope = scopeMetrics["scope"]?["name"]?.stringValue
                for metric in scopeMetrics["metrics"]?.arrayValue ?? [] {
                    let kinds: [(String, String)] = [
                        ("gauge", "gauge"), ("sum", "sum"), ("histogram", "histogram"),
                        ("exponentialHistogram", "exponential_histogram"), ("summary", "summary"),
                    ]
                    for (member, type) in kinds {
                        guard let data = metric[member] else { continue }
                        for point in data["dataPoints"]?.arrayValue ?? [] {
                            points.append(Point(
                                metricName: metric["name"]?.stringValue ?? "",
                                type: type,
                                temporality: data["aggregationTemporality"]?.int64Value,
                                isMonotonic: { if case .bool(let b)? = data["isMonotonic"] { b } else { nil } }(),
                                start: point["startTimeUnixNano"]?.int64Value ?? 0,
                                time: point["timeUnixNano"]?.int64Value ?? 0,
                                attributes: Self.attributes(point["attributes"]),
                                serviceName: resource["service.name"]?.stringValue,
                                scopeName: scope,
                                point: point,
                                resourceAttributes: resource))
                        }
                    }
                }
            }
        }
    }

    private static func span(_ span: JSONValue, service: String?, scope: String?) -> Span {
        var exception: (type: String?, message: String?, stacktrace: String?)?
        let events = span["events"]?.arrayValue ?? []
        if let event = events.first(where: { $0["name"]?.stringValue == "exception" }) {
            let attributes = Self.attributes(event["attributes"])
            exception = (attributes["exception.type"]?.stringValue, attributes["exception.message"]?.stringValue,
                         attributes["exception.stacktrace"]?.stringValue)
        }
        let message = span["status"]?["message"]?.stringValue
        return Span(
            traceID: id(span["traceId"]) ?? "",
            spanID: id(span["spanId"]) ?? "",
            parentSpanID: id(span["parentSpanId"]),
            name: span["name"]?.stringValue ?? "",
            kind: span["kind"]?.int64Value ?? 0,
            start: span["startTimeUnixNano"]?.int64Value ?? 0,
            end: span["endTimeUnixNano"]?.int64Value ?? 0,
            statusCode: span["status"]?["code"]?.int64Value ?? 0,
            statusMessage: message?.isEmpty == false ? message : nil,
            serviceName: service,
            scopeName: scope,
            attributes: attributes(span["attributes"]),
            eventNames: events.compactMap { $0["name"]?.stringValue },
            exception: exception,
            linkCount: span["links"]?.arrayValue?.count ?? 0)
    }

    private static func id(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text.lowercased()
    }

    /// `[{"key": k, "value": AnyValue}]` as a JSON object of plain values.
    static func attributes(_ list: JSONValue?) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for kv in list?.arrayValue ?? [] {
            guard let key = kv["key"]?.stringValue else { continue }
            result[key] = kv["value"].map(anyValue) ?? .null
        }
        return result
    }

    /// An OTLP AnyValue as plain JSON, the way memoryd writes attribute and body columns
    /// (bytes stay base64, as proto3 JSON spells them).
    static func anyValue(_ value: JSONValue) -> JSONValue {
        if let s = value["stringValue"] { return s }
        if let b = value["boolValue"] { return b }
        if let i = value["intValue"] { return i.int64Value.map(JSONValue.integer) ?? i }
        if let d = value["doubleValue"] { return d.doubleValue.map(JSONValue.number) ?? d }
        if let bytes = value["bytesValue"] { return bytes }
        if let array = value["arrayValue"] { return .array((array["values"]?.arrayValue ?? []).map(anyValue)) }
        if let list = value["kvlistValue"] { return .object(attributes(list["values"])) }
        return .null
    }
}
