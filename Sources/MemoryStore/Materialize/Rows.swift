import Redaction

/// One `spans` (or `pending_spans`) row, ready for the appender.
public struct SpanRow: Sendable {
    public var traceID: String
    public var spanID: String
    public var parentSpanID: String?
    public var traceState: String?
    public var name: String
    public var spanKind: String
    public var startNano: Int64
    public var endNano: Int64
    public var statusCode: String
    public var statusMessage: String?
    public var spanType: String
    public var message: String?
    public var level: Int32
    public var tags: [String]?
    public var isException: Bool
    public var exceptionType: String?
    public var exceptionMessage: String?
    public var exceptionStacktrace: String?
    public var resource: ResourceInfo
    public var attributes: String
    public var events: String?
    public var links: String?
    public var correlation: CorrelationColumns
    public var flags: Int64
    public var droppedAttributes: Int64
    public var droppedEvents: Int64
    public var droppedLinks: Int64
    /// What redaction replaced in this row (paths and rules, never values).
    public var redactions: [Redaction] = []

    public var isPending: Bool { spanType == "pending_span" }
}

/// One `logs` row.
public struct LogRow: Sendable {
    public var key: String
    public var timeNano: Int64
    public var recordedTimeNano: Int64
    public var observedTimeNano: Int64
    public var severityNumber: Int32
    public var severityText: String?
    public var level: Int32
    public var message: String?
    public var body: String?
    public var eventName: String?
    public var traceID: String?
    public var spanID: String?
    public var flags: Int64
    public var resource: ResourceInfo
    public var attributes: String
    public var correlation: CorrelationColumns
    public var redactions: [Redaction] = []
}

/// One `metric_points` row.
public struct MetricPointRow: Sendable {
    public var key: String
    public var name: String
    public var description: String?
    public var unit: String?
    public var type: String
    public var temporality: String?
    public var isMonotonic: Bool?
    public var startNano: Int64
    public var timeNano: Int64
    public var value: Double?
    public var intValue: Int64?
    public var count: Int64?
    public var sum: Double?
    public var min: Double?
    public var max: Double?
    public var buckets: String?
    public var exemplars: String?
    public var flags: Int64
    public var resource: ResourceInfo
    public var attributes: String
    public var runID: String?
    public var redactions: [Redaction] = []
}

/// Resource and scope columns, computed once per resource/scope and shared by its rows.
/// The resource's attributes are stored once in `resources`, keyed by `resourceID`.
public struct ResourceInfo: Sendable {
    public var resourceID: String
    public var serviceName: String?
    public var serviceVersion: String?
    public var scopeName: String?
    public var scopeVersion: String?
    public var attributes: String
    public var redactions: [Redaction] = []
}

/// The correlation columns as stored.
public struct CorrelationColumns: Sendable {
    public var runID: String?
    public var packetID: String?
    public var milestone: String?
    public var agent: String?
    public var attempt: Int64?
    public var stage: String?
    public var stageIndex: Int64?

    init(_ c: Correlation) {
        runID = c.runID; packetID = c.packetID; milestone = c.milestone; agent = c.agent
        attempt = c.attempt; stage = c.stage; stageIndex = c.stageIndex
    }
}

/// Rows decoded from one OTLP request, plus what was refused and why.
public struct TelemetryBatch: Sendable {
    public var spans: [SpanRow] = []
    public var logs: [LogRow] = []
    public var points: [MetricPointRow] = []
    public var rejected = 0
    /// The first few reasons items were refused, for `partial_success.error_message`.
    public var rejectReasons: [String] = []

    public init() {}

    public var rowCount: Int { spans.count + logs.count + points.count }

    mutating func reject(_ reason: String) {
        rejected += 1
        if rejectReasons.count < 5 { rejectReasons.append(reason) }
    }
}
