import Contracts
import DuckDB

/// One span of a run as `run_summary` reads it, and the summary built from a run's spans.
struct RunSpan: Sendable {
    var name: String
    var stage: String?
    var stageIndex: Int64?
    var startNanos: Int64
    var endNanos: Int64
    var status: String
    var failed: Bool
    var exceptionType: String?
    var message: String?
    var spanID: String
    var service: String?
    var agent: String?
    var packetID: String?
    var traceID: String

    init(_ row: [DuckDB.Value]) {
        name = row[0].string ?? ""
        stage = row[1].string
        stageIndex = row[2].int64
        startNanos = row[3].int64 ?? 0
        endNanos = row[4].int64 ?? 0
        status = row[5].string ?? "unset"
        failed = row[6] == .bool(true)
        exceptionType = row[7].string
        message = row[8].string
        spanID = row[9].string ?? ""
        service = row[10].string
        agent = row[11].string
        packetID = row[12].string
        traceID = row[13].string ?? ""
    }

    /// Time span, counts, services and agents, stages in order and errors of a run.
    struct Summary {
        var fields: [(String, JSONValue)] = []
        var status = "unknown"

        /// Errors listed at most.
        static let errorLimit = 50

        init(_ spans: [RunSpan]) {
            let ordered = spans.sorted { ($0.startNanos, $0.spanID) < ($1.startNanos, $1.spanID) }
            let start = ordered.map(\.startNanos).min()
            let end = ordered.map(\.endNanos).max()
            let errors = ordered.filter(\.failed)
            var stages: [String: [RunSpan]] = [:]
            for span in ordered { if let stage = span.stage { stages[stage, default: []].append(span) } }
            let stageRows: [(order: (Int64, Int64), value: JSONValue, status: String)] = stages.map { stage, attempts in
                let first = attempts.map(\.startNanos).min() ?? 0, last = attempts.map(\.endNanos).max() ?? 0
                let index = attempts.compactMap(\.stageIndex).min()
                // The last attempt (latest start) decides the stage's status.
                let latest = attempts.max { ($0.startNanos, $0.spanID) < ($1.startNanos, $1.spanID) }!
                let value: JSONValue = [
                    "stage": .string(stage), "index": index.map(JSONValue.integer) ?? .null,
                    "start": Self.time(first), "end": Self.time(last),
                    "duration_ms": .number(Double(last - first) / 1e6), "status": .string(latest.status),
                    "attempts": .integer(Int64(attempts.count)),
                ]
                return ((index ?? .max, first), value, latest.status)
            }.sorted { $0.order < $1.order }

            fields.append(("packet_id", ordered.lazy.compactMap(\.packetID).first.map(JSONValue.string) ?? .null))
            fields.append(("start", start.map(Self.time) ?? .null))
            fields.append(("end", end.map(Self.time) ?? .null))
            // Whole milliseconds between the rounded-down ends, as DuckDB's epoch_ms gives them.
            fields.append(("duration_ms", start.flatMap { s in end.map { .integer(Self.floorDiv($0, 1_000_000) - Self.floorDiv(s, 1_000_000)) } } ?? .null))
            fields.append(("span_count", .integer(Int64(ordered.count))))
            fields.append(("error_count", .integer(Int64(errors.count))))
            fields.append(("services", .array(Set(ordered.compactMap(\.service)).sorted().map(JSONValue.string))))
            fields.append(("agents", .array(Set(ordered.compactMap(\.agent)).sorted().map(JSONValue.string))))
            fields.append(("trace_ids", .array(Set(ordered.map(\.traceID)).sorted().map(JSONValue.string))))
            fields.append(("stages", .array(stageRows.map(\.value))))
            fields.append(("errors", .array(errors.prefix(Self.errorLimit).map { span in
                ["span_name": .string(span.name), "stage": span.stage.map(JSONValue.string) ?? .null,
                 "time": Self.time(span.startNanos), "exception_type": span.exceptionType.map(JSONValue.string) ?? .null,
                 "message": span.message.map(JSONValue.string) ?? .null, "span_id": .string(span.spanID)]
            })))
            if stageRows.contains(where: { $0.status == "error" }) || (stageRows.isEmpty && !errors.isEmpty) {
                status = "error"
            } else if !ordered.isEmpty {
                status = "ok"
            }
        }

        private static func time(_ nanos: Int64) -> JSONValue {
            .string(TimestampFormat.iso8601(micros: floorDiv(nanos, 1000)))
        }

        private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
            let q = a / b
            return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
        }
    }
}
