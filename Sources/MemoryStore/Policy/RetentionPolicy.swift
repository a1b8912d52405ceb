import Foundation

/// How long each table keeps its rows (`[retention]` in `memoryd.toml`).
public struct RetentionPolicy: Sendable, Equatable {
    /// A table retention manages, with the column its age is measured by.
    public enum Table: String, Sendable, CaseIterable, Comparable {
        /// Also `pending_spans`, by `start_time`.
        case spans
        case logs
        case metricPoints = "metric_points"
        /// Also the envelopes' derived rows `guard_outcomes`, `state_transitions` and `run_sequence`.
        case events
        case ingestRejects = "ingest_rejects"
        case redactions
        /// Resolved alerts, by `resolved_at` (firing ones stay).
        case alerts
        /// Finished alert deliveries (`delivered`, `dead`), by `finished_at` (pending ones stay).
        case alertOutbox = "alert_outbox"
        /// Pruned behind a chain checkpoint (see `AuditLog.prune`).
        case auditLog = "audit_log"

        /// The default maximum age in seconds; nil keeps rows forever.
        public var defaultMaxAge: Int64? {
            switch self {
            case .spans, .logs, .metricPoints: 30 * 86_400
            case .events, .redactions, .alerts, .alertOutbox: 90 * 86_400
            case .ingestRejects: 7 * 86_400
            case .auditLog: nil
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Maximum age in seconds per table; a missing or nil entry keeps rows forever.
    public var maxAge: [Table: Int64?]
    /// Rows deleted per transaction, so ingest's commits never wait long behind one (default 10,000).
    public var batchRows: Int
    /// When set, rows are written to Parquet under `<dir>/<table>/day=YYYY-MM-DD/` before
    /// they are deleted.
    public var archiveDirectory: String?

    public init(maxAge: [Table: Int64?] = Dictionary(uniqueKeysWithValues: Table.allCases.map { ($0, $0.defaultMaxAge) }),
                batchRows: Int = 10_000, archiveDirectory: String? = nil) {
        self.maxAge = maxAge
        self.batchRows = batchRows
        self.archiveDirectory = archiveDirectory
    }

    /// The maximum age of `table` in seconds, nil for forever.
    public func age(of table: Table) -> Int64? { maxAge[table].flatMap { $0 } }

    /// `30d`, `12h`, `90m`, `45s`, or `forever`, as the configuration writes ages.
    public static func parseAge(_ text: String) -> Int64?? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "forever" { return .some(nil) }
        guard let unit = trimmed.last, let count = Int64(trimmed.dropLast()), count > 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "d": seconds = 86_400
        case "h": seconds = 3_600
        case "m": seconds = 60
        case "s": seconds = 1
        default: return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        return overflow ? nil : .some(total)
    }

    /// An age as the configuration writes it: the largest whole unit.
    public static func formatAge(_ seconds: Int64?) -> String {
        guard let seconds else { return "forever" }
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
