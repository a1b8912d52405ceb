import DuckDB
import Dispatch
import Foundation

/// Applies a `RetentionPolicy`: deletes rows older than their table's maximum age in small
/// transactions (ingest's commits wait at most one batch behind one), archiving them to
/// Parquet first when configured, keeps every row of a run under legal hold, prunes the audit
/// log behind a chain checkpoint, purges expired facts, and checkpoints so DuckDB can reuse
/// the freed blocks.
public final class Retention: Sendable {
    /// What happened (or, dry, would happen) to one table.
    public struct TableReport: Sendable, Equatable {
        public var table: String
        /// The policy key the table follows (`events` for `guard_outcomes`).
        public var policy: RetentionPolicy.Table
        /// Seconds; nil: kept forever.
        public var maxAge: Int64?
        /// Rows deleted (dry run: that would be).
        public var rows: Int
        /// Rows old enough but kept because their run is under legal hold.
        public var held: Int
    }

    public struct Report: Sendable, Equatable {
        public var dryRun: Bool
        public var tables: [TableReport]
        /// Expired facts deleted (facts live by their TTL, not by age).
        public var expiredFacts: Int
        /// Parquet files are under here, when archiving.
        public var archiveDirectory: String?

        public var totalRows: Int { tables.reduce(0) { $0 + $1.rows } + expiredFacts }
    }

    /// A pass that stopped midway (cancelled at shutdown, or a statement failed): `report`
    /// holds what it deleted until then, which stays deleted (each batch committed alone).
    public struct Interrupted: Error, CustomStringConvertible {
        public var report: Report
        public var cause: any Error
        public var description: String { "retention stopped after deleting \(report.totalRows) rows: \(cause)" }
    }

    /// One physical table: its age column (an SQL expression; rows where it is NULL never
    /// expire), whether it carries `run_id` (holds apply), and whether it is archived.
    struct Part: Sendable {
        let table: String
        let timeColumn: String
        let hasRunID: Bool
        let searchKind: SearchIndex.Kind?
        var archived = true
    }

    /// `run_sequence` rows age with their transition's event, so they go just before it (same
    /// age, same holds); a row whose event is gone already counts as expired. Not archived: the
    /// migration that made the table rebuilds it from the archived events.
    static let runSequence = Part(
        table: "run_sequence",
        timeColumn: """
            coalesce((SELECT min(e.time) FROM events e WHERE e.id = run_sequence.event_id AND e.source = run_sequence.source), \
            TIMESTAMPTZ '-infinity')
            """,
        hasRunID: true, searchKind: nil, archived: false)

    static func parts(_ table: RetentionPolicy.Table) -> [Part] {
        switch table {
        case .spans: [Part(table: "spans", timeColumn: "start_time", hasRunID: true, searchKind: .span),
                      Part(table: "pending_spans", timeColumn: "start_time", hasRunID: true, searchKind: nil)]
        case .logs: [Part(table: "logs", timeColumn: "time", hasRunID: true, searchKind: .log)]
        case .metricPoints: [Part(table: "metric_points", timeColumn: "time", hasRunID: true, searchKind: nil)]
        case .events: [runSequence,
                       Part(table: "events", timeColumn: "time", hasRunID: true, searchKind: .event),
                       Part(table: "guard_outcomes", timeColumn: "decided_at", hasRunID: true, searchKind: nil),
                       Part(table: "state_transitions", timeColumn: "\"at\"", hasRunID: true, searchKind: nil)]
        case .ingestRejects: [Part(table: "ingest_rejects", timeColumn: "received_at", hasRunID: false, searchKind: nil)]
        case .redactions: [Part(table: "redactions", timeColumn: "redacted_at", hasRunID: false, searchKind: nil)]
        // Only finished rows have the time: firing alerts and pending deliveries never expire.
        case .alerts: [Part(table: "alerts", timeColumn: "resolved_at", hasRunID: true, searchKind: nil)]
        case .alertOutbox: [Part(table: "alert_outbox", timeColumn: "finished_at", hasRunID: false, searchKind: nil)]
        case .auditLog: []
        }
    }

    private struct Lane: @unchecked Sendable {
        let connection: Connection
        let queue: DispatchQueue
        func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                queue.async { continuation.resume(with: Result { try body(connection) }) }
            }
        }
    }

    public let policy: RetentionPolicy
    private let lane: Lane
    private let audit: AuditLog?

    /// `audit` prunes the audit log (the daemon's one `AuditLog`); without it `audit_log` is kept.
    public init(store: Store, policy: RetentionPolicy, audit: AuditLog?) throws {
        self.policy = policy
        self.audit = audit
        lane = Lane(connection: try store.connect(), queue: DispatchQueue(label: "memoryd.retention"))
        if let directory = policy.archiveDirectory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// One pass over every table. `pause` is slept between batches, giving other writers the
    /// commit lock; cancellation stops between batches (what committed stays done). A pass cut
    /// off by cancellation or an error throws `Interrupted` with what it deleted until then.
    public func apply(dryRun: Bool, now: Int64 = AuditDigest.nowMicros(), pause: Duration = .zero) async throws -> Report {
        var report = Report(dryRun: dryRun, tables: [], expiredFacts: 0, archiveDirectory: policy.archiveDirectory)
        do {
            try await apply(into: &report, now: now, pause: pause)
        } catch {
            throw Interrupted(report: report, cause: error)
        }
        return report
    }

    private func apply(into report: inout Report, now: Int64, pause: Duration) async throws {
        let dryRun = report.dryRun
        for table in RetentionPolicy.Table.allCases {
            let maxAge = policy.age(of: table)
            let cutoff = maxAge.map { now - $0 * 1_000_000 }
            if table == .auditLog {
                var rows = 0
                if let cutoff, let audit {
                    rows = try await audit.prune(before: cutoff, dryRun: dryRun).rows
                }
                report.tables.append(TableReport(table: "audit_log", policy: table, maxAge: maxAge, rows: rows, held: 0))
                continue
            }
            for part in Self.parts(table) {
                // In the report before the first batch, so an interrupted pass counts what it deleted.
                let index = report.tables.count
                report.tables.append(TableReport(table: part.table, policy: table, maxAge: maxAge, rows: 0, held: 0))
                if let cutoff {
                    let literal = Self.timestampLiteral(cutoff)
                    report.tables[index].held = try await lane.run { try Self.countHeld(part, before: literal, on: $0) }
                    if dryRun {
                        report.tables[index].rows = try await lane.run { try Self.countExpired(part, before: literal, on: $0) }
                    } else {
                        while true {
                            try Task.checkCancellation()
                            let batch = policy.batchRows
                            let archive = part.archived ? policy.archiveDirectory : nil
                            let deleted = try await lane.run {
                                try Self.deleteBatch(part, before: literal, limit: batch, archive: archive, on: $0)
                            }
                            report.tables[index].rows += deleted
                            if deleted < batch { break }
                            if pause > .zero { try await Task.sleep(for: pause) }
                        }
                        if let kind = part.searchKind {
                            _ = try await lane.run { try Self.removeSearchDocuments(kind, before: literal, on: $0) }
                        }
                    }
                }
            }
        }
        if dryRun {
            report.expiredFacts = try await lane.run {
                let count = try $0.prepare("SELECT count(*) FROM memories WHERE expires_at <= $1")
                try count.bind([.timestamp(now)])
                return Int(try count.query().rows[0][0].int64 ?? 0)
            }
        } else {
            report.expiredFacts = try await lane.run { try FactStore.purgeExpired(on: $0, now: now) }
            if report.totalRows > 0 {
                // Lets DuckDB reuse (and at the file's end, truncate) the freed blocks. It gives
                // way when another transaction is open; the next pass or DuckDB's own
                // automatic checkpoint does it then.
                _ = try? await lane.run { try $0.execute("CHECKPOINT") }
            }
        }
    }

    static func timestampLiteral(_ micros: Int64) -> String {
        "TIMESTAMPTZ '\(TimestampFormat.iso8601(micros: micros))'"
    }

    static let notHeld = "(run_id IS NULL OR run_id NOT IN (SELECT run_id FROM legal_holds))"

    static func expiredPredicate(_ part: Part, before literal: String) -> String {
        "\(part.timeColumn) < \(literal)" + (part.hasRunID ? " AND \(notHeld)" : "")
    }

    static func countExpired(_ part: Part, before literal: String, on connection: Connection) throws -> Int {
        Int(try connection.query("SELECT count(*) FROM \(part.table) WHERE \(expiredPredicate(part, before: literal))")
            .rows[0][0].int64 ?? 0)
    }

    static func countHeld(_ part: Part, before literal: String, on connection: Connection) throws -> Int {
        guard part.hasRunID else { return 0 }
        return Int(try connection.query("""
            SELECT count(*) FROM \(part.table)
            WHERE \(part.timeColumn) < \(literal) AND run_id IN (SELECT run_id FROM legal_holds)
            """).rows[0][0].int64 ?? 0)
    }

    /// Deletes up to `limit` expired rows in one transaction, after writing them to Parquet
    /// (partitioned by UTC day) when archiving. A failed delete rolls back; its rows may then be
    /// archived twice (each write is a new file), never lost.
    static func deleteBatch(_ part: Part, before literal: String, limit: Int, archive: String?,
                            on connection: Connection) throws -> Int {
        try connection.transaction {
            try connection.execute("""
                CREATE OR REPLACE TEMP TABLE retention_batch AS
                SELECT rowid AS rid FROM \(part.table) WHERE \(expiredPredicate(part, before: literal)) LIMIT \(limit)
                """)
            defer { try? connection.execute("DROP TABLE IF EXISTS retention_batch") }
            let count = Int(try connection.query("SELECT count(*) FROM retention_batch").rows[0][0].int64 ?? 0)
            guard count > 0 else { return 0 }
            if let archive {
                let target = URL(fileURLWithPath: archive).appendingPathComponent(part.table).path
                try connection.execute("""
                    COPY (SELECT *, strftime(timezone('UTC', \(part.timeColumn)), '%Y-%m-%d') AS day
                          FROM \(part.table) WHERE rowid IN (SELECT rid FROM retention_batch))
                    TO \(SQL.literal(target))
                    (FORMAT parquet, PARTITION_BY (day), FILENAME_PATTERN 'part_{uuid}', APPEND true)
                    """)
            }
            return try connection.prepare("DELETE FROM \(part.table) WHERE rowid IN (SELECT rid FROM retention_batch)").execute()
        }
    }

    static func removeSearchDocuments(_ kind: SearchIndex.Kind, before literal: String, on connection: Connection) throws -> Int {
        try connection.transaction {
            try SearchIndex.removeDocuments(kind: kind, refsQuery: """
                SELECT ref FROM search_documents WHERE kind = '\(kind.rawValue)' AND time < \(literal) AND \(notHeld)
                """, on: connection)
        }
    }
}
