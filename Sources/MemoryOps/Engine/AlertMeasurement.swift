import DuckDB
import Foundation
import MemoryStore

/// One number a rule measured for one subject, with what an alert about it says.
struct Observation: Sendable, Equatable {
    /// `*` for the whole store, else the run, service or source.
    var subject: String
    var value: Double
    var runID: String?
    /// For guard_deny rules over several codes: the code seen most.
    var reasonCode: String?
    /// Words for the summary: what was measured.
    var detail: String
    /// SQL that shows the rows behind the number.
    var evidenceQuery: String?
}

/// The store-side measurements (error_rate, guard_deny, ingest_lag): trusted SQL on memoryd's
/// own tables, with values from the configuration quoted as literals so the same text can be
/// handed to people as the evidence query.
enum AlertMeasurement {
    static let wholeStore = "*"

    static func measure(_ rule: AlertRule, now: Int64, on connection: Connection) throws -> [Observation] {
        switch rule.kind {
        case .errorRate: try errorRate(rule, now: now, on: connection)
        case .guardDeny: try guardDenies(rule, now: now, on: connection)
        case .ingestLag: try ingestLag(rule, now: now, on: connection)
        case .auditBroken, .sql: []
        }
    }

    static func time(_ micros: Int64) -> String { "'\(TimestampFormat.iso8601(micros: micros))'::TIMESTAMPTZ" }

    private static func list(_ values: [String]) -> String { values.map(SQL.literal).joined(separator: ", ") }

    static func windowText(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

    private static func errorRate(_ rule: AlertRule, now: Int64, on connection: Connection) throws -> [Observation] {
        let from = now - Int64((rule.window ?? 0) * 1e6)
        var filter = "end_time > \(time(from)) AND end_time <= \(time(now))"
        if !rule.services.isEmpty { filter += " AND service_name IN (\(list(rule.services)))" }
        let key: String
        switch rule.groupBy {
        case .run:
            key = "run_id"
            filter += " AND run_id IS NOT NULL"
        case .service:
            key = "coalesce(service_name, '')"
        default:
            key = SQL.literal(wholeStore)
        }
        let rows = try connection.query("""
            SELECT \(key), count(*), count(*) FILTER (WHERE status_code = 'error' OR is_exception)
            FROM spans WHERE \(filter) GROUP BY 1 HAVING count(*) >= \(rule.minSpans) ORDER BY 1
            """).rows
        return rows.map { row in
            let subject = row[0].string ?? ""
            let spans = Double(row[1].int64 ?? 0), errors = Double(row[2].int64 ?? 0)
            var evidence = "\(filter) AND (status_code = 'error' OR is_exception)"
            switch rule.groupBy {
            case .run: evidence += " AND run_id = \(SQL.literal(subject))"
            case .service: evidence += " AND coalesce(service_name, '') = \(SQL.literal(subject))"
            default: break
            }
            let scope = subject == wholeStore ? "" : " (\(rule.groupBy.rawValue) \(subject))"
            return Observation(
                subject: subject, value: errors / spans, runID: rule.groupBy == .run ? subject : nil,
                detail: "\(Int(errors)) of \(Int(spans)) spans failed in the last \(windowText(rule.window ?? 0))\(scope)",
                evidenceQuery: """
                    SELECT end_time, run_id, service_name, name, status_message, exception_type, trace_id, span_id \
                    FROM spans WHERE \(evidence) ORDER BY end_time
                    """)
        }
    }

    private static func guardDenies(_ rule: AlertRule, now: Int64, on connection: Connection) throws -> [Observation] {
        let from = now - Int64((rule.window ?? 0) * 1e6)
        var filter = "decision = 'deny' AND decided_at > \(time(from)) AND decided_at <= \(time(now))"
        if !rule.denyCodes.isEmpty { filter += " AND reason_code IN (\(list(rule.denyCodes)))" }
        let key = rule.groupBy == .run ? "run_id" : SQL.literal(wholeStore)
        var rows = try connection.query("""
            SELECT \(key), count(*), mode(reason_code) FROM guard_outcomes WHERE \(filter) GROUP BY 1 ORDER BY 1
            """).rows
        // Ungrouped, "no denies" is a value too (0), so the rule's status shows it.
        if rows.isEmpty, rule.groupBy == .none { rows = [[.text(wholeStore), .int(0), .null]] }
        return rows.map { row in
            let subject = row[0].string ?? ""
            let denies = row[1].int64 ?? 0
            let evidence = rule.groupBy == .run ? "\(filter) AND run_id = \(SQL.literal(subject))" : filter
            let scope = subject == wholeStore ? "" : " in run \(subject)"
            return Observation(
                subject: subject, value: Double(denies), runID: rule.groupBy == .run ? subject : nil,
                reasonCode: row[2].isNull ? nil : row[2].string,
                detail: "\(denies) guard denies in the last \(windowText(rule.window ?? 0))\(scope)",
                evidenceQuery: """
                    SELECT decided_at, run_id, stage, guard_id, reason_code, action, source, event_id \
                    FROM guard_outcomes WHERE \(evidence) ORDER BY decided_at
                    """)
        }
    }

    private static func ingestLag(_ rule: AlertRule, now: Int64, on connection: Connection) throws -> [Observation] {
        let filter = rule.sources.isEmpty ? "true" : rule.sources.map { "source GLOB \(SQL.literal($0))" }.joined(separator: " OR ")
        let rows = try connection.query("""
            SELECT source, (\(now) - epoch_us(updated_at)) / 1e6 FROM ingest_checkpoints WHERE \(filter) ORDER BY source
            """).rows
        return rows.map { row in
            let source = row[0].string ?? ""
            let lag = max(0, row[1].doubleValue ?? 0)
            return Observation(
                subject: source, value: lag, runID: nil,
                detail: "source \(source) last committed \(Int(lag.rounded())) s ago",
                evidenceQuery: """
                    SELECT source, updated_at, position, rows_total, rejected_total FROM ingest_checkpoints \
                    WHERE source = \(SQL.literal(source))
                    """)
        }
    }
}

extension Value {
    var doubleValue: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        case .text(let s): Double(s)
        default: nil
        }
    }
}
