import DuckDB
import Foundation

/// Writes telemetry rows in one transaction per commit, together with the checkpoint of
/// every source that contributed. Owns its connection; one commit at a time (it is handed to
/// the writer thread, never shared).
public final class TelemetryWriter: @unchecked Sendable {
    /// Counts for one source's contribution to a commit.
    public struct SourceProgress: Sendable {
        public var batches = 0
        public var rows = 0
        public var rejected = 0
        public init() {}
    }

    /// What a commit stored (duplicates of already stored rows are not counted).
    public struct CommitResult: Sendable, Equatable {
        public var spans = 0
        public var logs = 0
        public var points = 0

        public init(spans: Int = 0, logs: Int = 0, points: Int = 0) {
            self.spans = spans
            self.logs = logs
            self.points = points
        }
    }

    private let connection: Connection
    private let runs = TraceRunCache()

    public init(store: Store) throws {
        connection = try store.connect()
        try connection.execute("""
            CREATE TEMP TABLE staging_spans AS SELECT * FROM spans LIMIT 0;
            CREATE TEMP TABLE staging_pending AS SELECT * FROM spans LIMIT 0;
            CREATE TEMP TABLE staging_logs AS SELECT * FROM logs LIMIT 0;
            CREATE TEMP TABLE staging_points AS SELECT * FROM metric_points LIMIT 0;
            """)
    }

    /// Stores `batches` and advances each source's checkpoint, atomically.
    public func commit(_ batches: [TelemetryBatch], progress: [String: SourceProgress]) throws -> CommitResult {
        var batches = batches
        try inheritRunIDs(&batches)
        let receivedAt = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var result = CommitResult()
        try connection.transaction {
            let spanAppender = try connection.appender(table: "staging_spans")
            let pendingAppender = try connection.appender(table: "staging_pending")
            let logAppender = try connection.appender(table: "staging_logs")
            let pointAppender = try connection.appender(table: "staging_points")
            var hasSpans = false, hasPending = false, hasLogs = false, hasPoints = false
            for batch in batches {
                for span in batch.spans {
                    if span.isPending {
                        try append(span, to: pendingAppender, receivedAt: receivedAt)
                        hasPending = true
                    } else {
                        try append(span, to: spanAppender, receivedAt: receivedAt)
                        hasSpans = true
                    }
                }
                for log in batch.logs { try append(log, to: logAppender, receivedAt: receivedAt); hasLogs = true }
                for point in batch.points { try append(point, to: pointAppender, receivedAt: receivedAt); hasPoints = true }
            }
            try spanAppender.close()
            try pendingAppender.close()
            try logAppender.close()
            try pointAppender.close()

            if hasSpans {
                result.spans = try connection.query("INSERT OR IGNORE INTO spans SELECT * FROM staging_spans").rowsChanged
                // The real span supersedes its pending announcement (the pending span's parent).
                try connection.execute("""
                    DELETE FROM pending_spans p USING staging_spans s
                    WHERE p.trace_id = s.trace_id AND p.parent_span_id = s.span_id
                    """)
            }
            if hasPending {
                try connection.execute("""
                    INSERT INTO pending_spans
                    SELECT DISTINCT ON (trace_id, span_id) * FROM staging_pending p
                    WHERE NOT EXISTS (SELECT 1 FROM staging_spans s
                                      WHERE s.trace_id = p.trace_id AND s.span_id = p.parent_span_id)
                      AND NOT EXISTS (SELECT 1 FROM pending_spans q
                                      WHERE q.trace_id = p.trace_id AND q.span_id = p.span_id)
                    """)
            }
            if hasLogs {
                result.logs = try connection.query("INSERT OR IGNORE INTO logs SELECT * FROM staging_logs").rowsChanged
            }
            if hasPoints {
                result.points = try connection.query("INSERT OR IGNORE INTO metric_points SELECT * FROM staging_points").rowsChanged
            }
            try updateStoredRunIDs()
            try recordProgress(progress)
            try connection.execute("""
                DELETE FROM staging_spans; DELETE FROM staging_pending;
                DELETE FROM staging_logs; DELETE FROM staging_points;
                """)
        }
        runs.commitPending()
        return result
    }

    // MARK: Run id inheritance

    /// Spans without a run id take their trace's, from this commit, the cache, or the store.
    private func inheritRunIDs(_ batches: inout [TelemetryBatch]) throws {
        for batch in batches {
            for span in batch.spans where span.correlation.runID != nil {
                runs.learn(trace: span.traceID, run: span.correlation.runID!)
            }
        }
        var unknown = Set<String>()
        for batch in batches {
            for span in batch.spans where span.correlation.runID == nil && !runs.isKnown(span.traceID) {
                unknown.insert(span.traceID)
            }
        }
        if !unknown.isEmpty {
            let lookup = try connection.prepare("""
                SELECT trace_id, any_value(run_id) FROM spans
                WHERE trace_id IN (SELECT unnest(string_split($1, ','))) AND run_id IS NOT NULL
                GROUP BY trace_id
                """)
            try lookup.bind([.text(unknown.joined(separator: ","))])
            for row in try lookup.query().rows {
                if let trace = row[0].string, let run = row[1].string { runs.learn(trace: trace, run: run, stored: true) }
            }
            for trace in unknown where !runs.isKnown(trace) { runs.markOrphan(trace) }
        }
        for b in batches.indices {
            for s in batches[b].spans.indices where batches[b].spans[s].correlation.runID == nil {
                batches[b].spans[s].correlation.runID = runs.run(for: batches[b].spans[s].traceID)
            }
            for l in batches[b].logs.indices where batches[b].logs[l].correlation.runID == nil {
                if let trace = batches[b].logs[l].traceID {
                    batches[b].logs[l].correlation.runID = runs.run(for: trace)
                }
            }
        }
    }

    /// Rows stored before their trace's run id was known get it now.
    private func updateStoredRunIDs() throws {
        let adopted = runs.adoptedOrphans()
        guard !adopted.isEmpty else { return }
        let update = try connection.prepare("""
            UPDATE spans SET run_id = $2 WHERE trace_id = $1 AND run_id IS NULL
            """)
        for (trace, run) in adopted {
            try update.bind([.text(trace), .text(run)])
            try update.execute()
        }
    }

    private func recordProgress(_ progress: [String: SourceProgress]) throws {
        let upsert = try connection.prepare("""
            INSERT INTO ingest_checkpoints VALUES ($1, $2, NULL, $3, $4, now())
            ON CONFLICT (source) DO UPDATE SET
                position = ingest_checkpoints.position + excluded.position,
                rows_total = ingest_checkpoints.rows_total + excluded.rows_total,
                rejected_total = ingest_checkpoints.rejected_total + excluded.rejected_total,
                updated_at = excluded.updated_at
            """)
        for (source, p) in progress.sorted(by: { $0.key < $1.key }) {
            try upsert.bind([.text(source), .int(Int64(p.batches)), .int(Int64(p.rows)), .int(Int64(p.rejected))])
            try upsert.execute()
        }
    }
}
