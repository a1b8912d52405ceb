import DuckDB
import Foundation
import MemoryStore
import Testing

/// Compares what a store holds with what a fixture's decoded.json says, item by item:
/// ids, names, times, status, attributes, correlation and Logfire columns.
enum StoredTelemetry {
    static let spanKinds: [Int64: String] = [0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"]
    static let statusCodes: [Int64: String] = [0: "unset", 1: "ok", 2: "error"]

    static let spanColumns = """
        trace_id, span_id, parent_span_id, name, span_kind, start_time, end_time, start_time_unix_nano,
        end_time_unix_nano, duration_ns, status_code, status_message, span_type, message, level,
        to_json(tags)::VARCHAR AS tags, is_exception, exception_type, exception_message, exception_stacktrace,
        service_name, scope_name, attributes::VARCHAR AS attributes, events::VARCHAR AS events,
        links::VARCHAR AS links, run_id, packet_id
        """

    /// Spans by "trace/span" from `table` (spans or pending_spans).
    static func spans(in store: Store, table: String = "spans", where condition: String = "true") throws -> [String: [String: Value]] {
        var byKey: [String: [String: Value]] = [:]
        for row in try store.rows("SELECT \(spanColumns) FROM \(table) WHERE \(condition)") {
            byKey[(row["trace_id"]?.string ?? "") + "/" + (row["span_id"]?.string ?? "")] = row
        }
        return byKey
    }

    /// Every real span of `expected` is stored exactly as sent; its pending spans are in
    /// pending_spans unless `expected` also holds the real span they announce.
    static func expectSpans(_ expected: ExpectedTelemetry, in store: Store, file: String) throws {
        let stored = try spans(in: store)
        for span in expected.realSpans {
            guard let row = stored[span.key] else {
                Issue.record("\(file): span \(span.key) \(span.name.debugDescription) not stored")
                continue
            }
            expect(span, matches: row, runID: expected.expectedRunID(of: span), file: file)
        }
        let pending = try spans(in: store, table: "pending_spans")
        let realIDs = Set(expected.realSpans.map(\.key))
        for span in expected.pendingSpans {
            let superseded = realIDs.contains(span.traceID + "/" + (span.parentSpanID ?? ""))
            #expect((pending[span.key] != nil) == !superseded,
                    "\(file): pending span \(span.key) (announcing \(span.parentSpanID ?? "-")) superseded=\(superseded)")
            #expect(stored[span.key] == nil, "\(file): pending span \(span.key) stored in spans")
            if let row = pending[span.key] {
                expect(span, matches: row, runID: expected.expectedRunID(of: span), file: file)
            }
        }
    }

    static func expect(_ span: ExpectedTelemetry.Span, matches row: [String: Value], runID: String?, file: String) {
        let context = "\(file) span \(span.key) \(span.name.debugDescription)"
        #expect(row["parent_span_id"]?.string == span.parentSpanID, "\(context): parent_span_id")
        #expect(row["name"]?.string == span.name, "\(context): name")
        #expect(row["span_kind"]?.string == spanKinds[span.kind], "\(context): span_kind")
        #expect(row["start_time_unix_nano"]?.int64 == span.start, "\(context): start_time_unix_nano")
        #expect(row["end_time_unix_nano"]?.int64 == span.end, "\(context): end_time_unix_nano")
        #expect(row["start_time"] == .timestamp(span.start / 1000), "\(context): start_time")
        #expect(row["end_time"] == .timestamp(span.end / 1000), "\(context): end_time")
        #expect(row["duration_ns"]?.int64 == max(0, span.end - span.start), "\(context): duration_ns")
        #expect(row["status_code"]?.string == statusCodes[span.statusCode], "\(context): status_code")
        #expect(row["status_message"]?.string == span.statusMessage, "\(context): status_message")
        #expect(row["service_name"]?.string == span.serviceName, "\(context): service_name")
        #expect(row["scope_name"]?.string == span.scopeName, "\(context): scope_name")

        // Logfire columns: span type, formatted message, level number, tags.
        #expect(row["span_type"]?.string == (span.spanType ?? "span"), "\(context): span_type")
        #expect(row["message"]?.string == (span.logfireMessage ?? span.name), "\(context): message")
        let defaultLevel: Int64 = span.statusCode == 2 || span.exception != nil ? 17 : 9
        #expect(row["level"]?.int64 == (span.logfireLevel ?? defaultLevel), "\(context): level")
        let tags = (try? row["tags"]?.json())?.arrayValue?.compactMap(\.stringValue)
        #expect(tags == span.tags, "\(context): tags")

        // Exception columns from the first `exception` event.
        #expect(row["is_exception"]?.bool == (span.exception != nil), "\(context): is_exception")
        #expect(row["exception_type"]?.string == span.exception?.type, "\(context): exception_type")
        #expect(row["exception_message"]?.string == span.exception?.message, "\(context): exception_message")
        #expect(row["exception_stacktrace"]?.string == span.exception?.stacktrace, "\(context): exception_stacktrace")

        // Attributes, events and links as JSON.
        do {
            let attributes = try row["attributes"]?.json()
            #expect(attributes == .object(span.attributes), "\(context): attributes\nstored   \(attributes?.description ?? "NULL")\nexpected \(JSONValue.object(span.attributes))")
            let events = try row["events"]?.json()?.arrayValue ?? []
            #expect(events.compactMap { $0["name"]?.stringValue } == span.eventNames, "\(context): events")
            let links = try row["links"]?.json()?.arrayValue ?? []
            #expect(links.count == span.linkCount, "\(context): links")
        } catch {
            Issue.record("\(context): stored JSON does not parse: \(error)")
        }

        // Correlation: run id from run.id (or the trace's), packet id from packet.id.
        #expect(row["run_id"]?.string == runID, "\(context): run_id")
        #expect(row["packet_id"]?.string == span.ownPacketID, "\(context): packet_id")
    }

    /// Every log record is stored once with its fields.
    static func expectLogs(_ expected: ExpectedTelemetry, in store: Store, file: String) throws {
        let rows = try store.rows("""
            SELECT time, time_unix_nano, observed_time_unix_nano, severity_number, severity_text, level, message,
                   body::VARCHAR AS body, event_name, trace_id, span_id, service_name, scope_name,
                   attributes::VARCHAR AS attributes, run_id
            FROM logs
            """)
        for log in expected.logs {
            let context = "\(file) log at \(log.time)/\(log.observedTime) \(log.body?.description.prefix(60) ?? "-")"
            let matches = rows.filter {
                $0["observed_time_unix_nano"]?.int64 == log.observedTime && $0["time_unix_nano"]?.int64 == log.time
                    && (try? $0["body"]?.json()) == log.body
            }
            #expect(matches.count == 1, "\(context): stored \(matches.count) times")
            guard let row = matches.first else { continue }
            #expect(row["time"] == .timestamp((log.time != 0 ? log.time : log.observedTime) / 1000), "\(context): time")
            #expect(row["severity_number"]?.int64 == log.severityNumber, "\(context): severity_number")
            #expect(row["severity_text"]?.string == log.severityText, "\(context): severity_text")
            let logfireLevel = log.attributes["logfire.level_num"]?.int64Value
            #expect(row["level"]?.int64 == (logfireLevel ?? (log.severityNumber > 0 ? log.severityNumber : 9)), "\(context): level")
            let expectedMessage: String? = log.attributes["logfire.msg"]?.stringValue ?? log.body?.stringValue
            if let expectedMessage {
                #expect(row["message"]?.string == expectedMessage, "\(context): message")
            } else if let body = log.body {
                #expect((try? row["message"]?.json()) == body, "\(context): message is the body's JSON")
            }
            #expect(row["event_name"]?.string == log.eventName, "\(context): event_name")
            #expect(row["trace_id"]?.string == log.traceID, "\(context): trace_id")
            #expect(row["span_id"]?.string == log.spanID, "\(context): span_id")
            #expect(row["service_name"]?.string == log.serviceName, "\(context): service_name")
            #expect(row["scope_name"]?.string == log.scopeName, "\(context): scope_name")
            #expect((try? row["attributes"]?.json()) == .object(log.attributes), "\(context): attributes")
            if let runID = log.runID {
                #expect(row["run_id"]?.string == runID, "\(context): run_id")
            }
        }
    }

    /// Every data point (gauge, sum, histogram, exponential histogram, summary) is stored
    /// once with its values.
    static func expectPoints(_ expected: ExpectedTelemetry, in store: Store, file: String) throws {
        let rows = try store.rows("""
            SELECT metric_name, metric_type, temporality, is_monotonic, start_time_unix_nano, time_unix_nano, time,
                   value, int_value, count, sum, min, max, buckets::VARCHAR AS buckets, service_name, scope_name,
                   attributes::VARCHAR AS attributes
            FROM metric_points
            """)
        for point in expected.points {
            let context = "\(file) point \(point.metricName) at \(point.time) \(JSONValue.object(point.attributes))"
            let matches = rows.filter {
                $0["metric_name"]?.string == point.metricName && $0["time_unix_nano"]?.int64 == point.time
                    && (try? $0["attributes"]?.json()) == .object(point.attributes)
                    && $0["start_time_unix_nano"]?.int64 == point.start
            }
            #expect(matches.count == 1, "\(context): stored \(matches.count) times")
            guard let row = matches.first else { continue }
            #expect(row["metric_type"]?.string == point.type, "\(context): metric_type")
            #expect(row["time"] == .timestamp(point.time / 1000), "\(context): time")
            let temporality = point.temporality.flatMap { [1: "delta", 2: "cumulative"][$0] }
            #expect(row["temporality"]?.string == temporality, "\(context): temporality")
            if point.type == "sum" {
                #expect(row["is_monotonic"]?.bool == (point.isMonotonic ?? false), "\(context): is_monotonic")
            }
            #expect(row["service_name"]?.string == point.serviceName, "\(context): service_name")
            #expect(row["scope_name"]?.string == point.scopeName, "\(context): scope_name")
            let p = point.point
            switch point.type {
            case "gauge", "sum":
                if let asInt = p["asInt"]?.int64Value {
                    #expect(row["int_value"]?.int64 == asInt, "\(context): int_value")
                    #expect(row["value"]?.double == Double(asInt), "\(context): value")
                } else {
                    #expect(row["value"]?.double == p["asDouble"]?.doubleValue, "\(context): value")
                    #expect(row["int_value"]?.isNull == true, "\(context): int_value")
                }
            default:
                #expect(row["count"]?.int64 == (p["count"]?.int64Value ?? 0), "\(context): count")
                #expect(row["sum"]?.double == p["sum"]?.doubleValue, "\(context): sum")
                if point.type != "summary" {
                    #expect(row["min"]?.double == p["min"]?.doubleValue, "\(context): min")
                    #expect(row["max"]?.double == p["max"]?.doubleValue, "\(context): max")
                }
                expectBuckets(of: point, stored: try? row["buckets"]?.json(), context: context)
            }
        }
    }

    private static func expectBuckets(of point: ExpectedTelemetry.Point, stored: JSONValue?, context: String) {
        let p = point.point
        func integers(_ value: JSONValue?) -> [Int64] { value?.arrayValue?.compactMap(\.int64Value) ?? [] }
        func doubles(_ value: JSONValue?) -> [Double] { value?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        switch point.type {
        case "histogram":
            #expect(integers(stored?["bucket_counts"]) == integers(p["bucketCounts"]), "\(context): bucket_counts")
            #expect(doubles(stored?["explicit_bounds"]) == doubles(p["explicitBounds"]), "\(context): explicit_bounds")
        case "exponential_histogram":
            #expect(stored?["scale"]?.int64Value == (p["scale"]?.int64Value ?? 0), "\(context): scale")
            #expect(stored?["zero_count"]?.int64Value == (p["zeroCount"]?.int64Value ?? 0), "\(context): zero_count")
            for side in ["positive", "negative"] {
                #expect(stored?[side]?["offset"]?.int64Value == (p[side]?["offset"]?.int64Value ?? 0), "\(context): \(side).offset")
                #expect(integers(stored?[side]?["bucket_counts"]) == integers(p[side]?["bucketCounts"]), "\(context): \(side).bucket_counts")
            }
        case "summary":
            let quantiles = p["quantileValues"]?.arrayValue ?? []
            let storedQuantiles = stored?["quantile_values"]?.arrayValue ?? []
            #expect(storedQuantiles.count == quantiles.count, "\(context): quantile_values")
        default:
            break
        }
    }
}
