import DuckDB
import Foundation
import MemoryStore
import OTLP

/// A directory under the system temp folder; remove it with `try? FileManager.default.removeItem(at:)`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension Store {
    /// Runs `sql` on a fresh connection and returns its rows.
    func rows(_ sql: String) throws -> [[Value]] {
        try connect().query(sql).rows
    }

    func count(_ table: String, where condition: String = "true") throws -> Int64 {
        try rows("SELECT count(*) FROM \(table) WHERE \(condition)")[0][0].int64 ?? -1
    }
}

// MARK: OTLP builders

func kv(_ key: String, _ value: String) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.stringValue = value
    return pair
}

func kv(_ key: String, _ value: Int64) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.intValue = value
    return pair
}

func kv(_ key: String, _ value: Double) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.doubleValue = value
    return pair
}

func kv(_ key: String, _ value: Bool) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.boolValue = value
    return pair
}

func kv(_ key: String, strings: [String]) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    var array = OTLPArrayValue()
    array.values = strings.map { var v = OTLPAnyValue(); v.stringValue = $0; return v }
    pair.value.arrayValue = array
    return pair
}

/// 16 bytes whose last byte is `n` (non-zero for n > 0).
func traceID(_ n: UInt8) -> Data { Data(repeating: 0xA0, count: 15) + [n] }
/// 8 bytes whose last byte is `n`.
func spanID(_ n: UInt8) -> Data { Data(repeating: 0x0B, count: 7) + [n] }

func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

func makeSpan(trace: UInt8 = 1, span: UInt8 = 1, parent: UInt8? = nil, name: String = "work",
              start: UInt64 = 1_700_000_000_000_000_000, duration: UInt64 = 1_500_000,
              attributes: [OTLPKeyValue] = []) -> OTLPSpan {
    var s = OTLPSpan()
    s.traceID = traceID(trace)
    s.spanID = spanID(span)
    if let parent { s.parentSpanID = spanID(parent) }
    s.name = name
    s.kind = .internal
    s.startTimeUnixNano = start
    s.endTimeUnixNano = start + duration
    s.attributes = attributes
    return s
}

func traceRequest(_ spans: [OTLPSpan], resource: [OTLPKeyValue] = [kv("service.name", "svc")],
                  scope: String = "tests", scopeVersion: String = "1.0") -> OTLPTraceRequest {
    var scopeSpans = OTLPScopeSpans()
    scopeSpans.scope.name = scope
    scopeSpans.scope.version = scopeVersion
    scopeSpans.spans = spans
    var resourceSpans = OTLPResourceSpans()
    resourceSpans.resource.attributes = resource
    resourceSpans.scopeSpans = [scopeSpans]
    var request = OTLPTraceRequest()
    request.resourceSpans = [resourceSpans]
    return request
}

func spanBatch(_ spans: [OTLPSpan], resource: [OTLPKeyValue] = [kv("service.name", "svc")]) -> TelemetryBatch {
    OTLPMaterializer.rows(from: traceRequest(spans, resource: resource))
}

func makeLog(time: UInt64 = 1_700_000_000_000_000_000, body: String? = "hello", severity: OTLPSeverityNumber = .info,
             attributes: [OTLPKeyValue] = [], trace: UInt8? = nil, span: UInt8? = nil) -> OTLPLogRecord {
    var record = OTLPLogRecord()
    record.timeUnixNano = time
    record.observedTimeUnixNano = time + 1_000
    record.severityNumber = severity
    record.severityText = "INFO"
    if let body { record.body.stringValue = body }
    record.attributes = attributes
    if let trace { record.traceID = traceID(trace) }
    if let span { record.spanID = spanID(span) }
    return record
}

func logsRequest(_ records: [OTLPLogRecord], resource: [OTLPKeyValue] = [kv("service.name", "svc")]) -> OTLPLogsRequest {
    var scopeLogs = OTLPScopeLogs()
    scopeLogs.scope.name = "tests"
    scopeLogs.logRecords = records
    var resourceLogs = OTLPResourceLogs()
    resourceLogs.resource.attributes = resource
    resourceLogs.scopeLogs = [scopeLogs]
    var request = OTLPLogsRequest()
    request.resourceLogs = [resourceLogs]
    return request
}

func metricsRequest(_ metrics: [OTLPMetric], resource: [OTLPKeyValue] = [kv("service.name", "svc")]) -> OTLPMetricsRequest {
    var scopeMetrics = OTLPScopeMetrics()
    scopeMetrics.scope.name = "meter"
    scopeMetrics.scope.version = "2"
    scopeMetrics.metrics = metrics
    var resourceMetrics = OTLPResourceMetrics()
    resourceMetrics.resource.attributes = resource
    resourceMetrics.scopeMetrics = [scopeMetrics]
    var request = OTLPMetricsRequest()
    request.resourceMetrics = [resourceMetrics]
    return request
}

/// Parses a JSON column's text (fails the caller's `#require` when it is not JSON).
func json(_ text: String?) -> Any? {
    guard let data = text?.data(using: .utf8) else { return nil }
    return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
}
