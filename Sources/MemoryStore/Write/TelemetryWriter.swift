import DuckDB
import Redaction
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

    /// What a commit stored (rows already stored are not counted).
    public struct CommitResult: Sendable, Equatable {
        public var spans = 0
        public var logs = 0
        public var points = 0
        /// Where the commit spent its time, for debug logs and metrics.
        public var timings = Timings()

        public struct Timings: Sendable, Equatable {
            public var deduplicate: Duration = .zero
            public var append: Duration = .zero
            public var finish: Duration = .zero
        }

        public init(spans: Int = 0, logs: Int = 0, points: Int = 0) {
            self.spans = spans
            self.logs = logs
            self.points = points
        }
    }

    private let connection: Connection
    /// Run ids by trace; rows without one of their own get their trace's when appended.
    let runs = TraceRunCache()
    /// Resource ids known to be in `resources` (a process has one; this stays small).
    private var knownResources = Set<String>()
    private var pendingResources = Set<String>()
    /// Resources this commit stores (their redaction records go with them).
    private var newResources: [String: ResourceInfo] = [:]
    /// Newest row time per table (spans: start ns, logs: time µs, points: time ns), nil while
    /// the table is empty; read from the store once, then kept up to date.
    private var newestCommitted: (spans: Int64?, logs: Int64?, points: Int64?)?
    private var newestSeen: (spans: Int64, logs: Int64, points: Int64) = (.min, .min, .min)

    private let startedAtNano = Int64(Date().timeIntervalSince1970 * 1e9)
    /// Whether `pending_spans` may hold rows; nil until read from the store. Only this writer
    /// adds pending spans (retention only removes them), so once false it stays right until
    /// this writer appends one, and the per-commit DELETE of superseded ones can be skipped.
    private var pendingSpansMayExist: Bool?

    public init(store: Store) throws {
        connection = try store.connect()
    }

    /// Stores `batches` and advances each source's checkpoint, atomically. Rows already
    /// stored (a client's retry) and repeats within the batches are skipped.
    public func commit(_ batches: [TelemetryBatch], progress: [String: SourceProgress]) throws -> CommitResult {
        try learnRunIDs(batches)
        let receivedAt = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let clock = ContinuousClock()
        let started = clock.now
        var deduplicated = started, appended = started
        var result = CommitResult()
        try connection.transaction {
            let fresh = try newRows(batches)
            deduplicated = clock.now
            try appendResources(batches, receivedAt: receivedAt)
            if !fresh.spans.isEmpty {
                let appender = try connection.appender(table: "spans")
                for (b, i) in fresh.spans {
                    // Borrowed from the buffer: passing `batches[b].spans[i]` would copy the row.
                    try batches[b].spans.withUnsafeBufferPointer { try append($0[i], to: appender, receivedAt: receivedAt) }
                }
                try appender.close()
                // The real span supersedes its pending announcement (the pending span's parent).
                if try mayHoldPendingSpans() {
                    try deleteWhere("DELETE FROM pending_spans WHERE trace_id || parent_span_id IN",
                                    fresh.spans.map { batches[$0.0].spans[$0.1].traceID + batches[$0.0].spans[$0.1].spanID })
                }
            }
            if !fresh.pending.isEmpty {
                pendingSpansMayExist = true
                let appender = try connection.appender(table: "pending_spans")
                for (b, i) in fresh.pending {
                    try batches[b].spans.withUnsafeBufferPointer { try append($0[i], to: appender, receivedAt: receivedAt) }
                }
                try appender.close()
            }
            if !fresh.logs.isEmpty {
                let appender = try connection.appender(table: "logs")
                for (b, i) in fresh.logs { try append(batches[b].logs[i], to: appender, receivedAt: receivedAt) }
                try appender.close()
            }
            if !fresh.points.isEmpty {
                let appender = try connection.appender(table: "metric_points")
                for (b, i) in fresh.points { try append(batches[b].points[i], to: appender, receivedAt: receivedAt) }
                try appender.close()
            }
            try appendRedactions(batches, fresh, receivedAt: receivedAt)
            appended = clock.now
            try updateStoredRunIDs()
            try recordProgress(progress)
            result.spans = fresh.spans.count
            result.logs = fresh.logs.count
            result.points = fresh.points.count
        }
        runs.commitPending()
        newestCommitted = (
            newestSeen.spans == .min ? newestCommitted?.spans : newestSeen.spans,
            newestSeen.logs == .min ? newestCommitted?.logs : newestSeen.logs,
            newestSeen.points == .min ? newestCommitted?.points : newestSeen.points)
        knownResources.formUnion(pendingResources)
        pendingResources = []
        result.timings = .init(deduplicate: deduplicated - started, append: appended - deduplicated,
                               finish: clock.now - appended)
        return result
    }

    // MARK: Idempotency

    /// Positions (batch, row) of the rows to store: first occurrences not yet in the store.
    private struct FreshRows {
        var spans: [(Int, Int)] = []
        var pending: [(Int, Int)] = []
        var logs: [(Int, Int)] = []
        var points: [(Int, Int)] = []
    }

    private func newRows(_ batches: [TelemetryBatch]) throws -> FreshRows {
        var fresh = FreshRows()
        var spanKeys: [String: (Int, Int)] = [:]
        var pendingKeys: [String: (Int, Int)] = [:]
        var logKeys: [String: (Int, Int)] = [:]
        var pointKeys: [String: (Int, Int)] = [:]
        var spanRange = TimeRange(), pendingRange = TimeRange(), logRange = TimeRange(), pointRange = TimeRange()
        for (b, batch) in batches.enumerated() {
            spanKeys.reserveCapacity(spanKeys.count + batch.spans.count)
            for i in batch.spans.indices {
                let key = batch.spans[i].traceID + batch.spans[i].spanID, start = batch.spans[i].startNano
                if batch.spans[i].isPending {
                    if pendingKeys.updateValue((b, i), forKey: key) == nil { pendingRange.add(start) }
                } else if spanKeys.updateValue((b, i), forKey: key) == nil {
                    spanRange.add(start)
                }
            }
            for (i, log) in batch.logs.enumerated() where logKeys.updateValue((b, i), forKey: log.key) == nil {
                logRange.add(log.timeNano / 1000)
            }
            for (i, point) in batch.points.enumerated() where pointKeys.updateValue((b, i), forKey: point.key) == nil {
                pointRange.add(point.timeNano)
            }
        }
        // A pending span whose real span is in this commit, or stored, is already over (the
        // real span starts when its pending announcement does).
        var parentRange = TimeRange()
        for position in pendingKeys.values { parentRange.add(batches[position.0].spans[position.1].startNano) }
        let parents = pendingKeys.values.compactMap { batches[$0.0].spans[$0.1].parentSpanID }
        let storedParents = try storedKeys(
            "SELECT trace_id || span_id FROM spans WHERE start_time_unix_nano BETWEEN $1 AND $2 AND span_id IN",
            candidates: parents, range: parentRange)
        pendingKeys = pendingKeys.filter { _, position in
            let span = batches[position.0].spans[position.1]
            guard let parent = span.parentSpanID else { return true }
            let realKey = span.traceID + parent
            return spanKeys[realKey] == nil && !storedParents.contains(realKey)
        }

        // Only rows no newer than the newest stored one can be stored already: live traffic
        // moves forward in time, so most batches need no lookup at all.
        let newest = try newestStored()
        func candidates(_ keys: [String: (Int, Int)], time: (Int, Int) -> Int64, newest: Int64?,
                        key: (String) -> String = { $0 }) -> ([String], TimeRange) {
            guard let newest else { return ([], TimeRange()) }
            var range = TimeRange()
            var list: [String] = []
            for (k, position) in keys {
                let t = time(position.0, position.1)
                if t <= newest { list.append(key(k)); range.add(t) }
            }
            return (list, range)
        }
        let spanCandidates = candidates(spanKeys, time: { batches[$0].spans[$1].startNano }, newest: newest.spans,
                                        key: { String($0.suffix(16)) })
        let pendingCandidates = candidates(pendingKeys, time: { batches[$0].spans[$1].startNano }, newest: .max,
                                           key: { String($0.suffix(16)) })
        let logCandidates = candidates(logKeys, time: { batches[$0].logs[$1].timeNano / 1000 }, newest: newest.logs)
        let pointCandidates = candidates(pointKeys, time: { batches[$0].points[$1].timeNano }, newest: newest.points)

        let storedSpans = try storedKeys(
            "SELECT trace_id || span_id FROM spans WHERE start_time_unix_nano BETWEEN $1 AND $2 AND span_id IN",
            candidates: spanCandidates.0, range: spanCandidates.1)
        let storedPending = try storedKeys(
            "SELECT trace_id || span_id FROM pending_spans WHERE start_time_unix_nano BETWEEN $1 AND $2 AND span_id IN",
            candidates: pendingCandidates.0, range: pendingCandidates.1)
        let storedLogs = try storedKeys(
            "SELECT log_key FROM logs WHERE time BETWEEN to_timestamp(($1 - 1000) / 1e6) AND to_timestamp(($2 + 1000) / 1e6) AND log_key IN",
            candidates: logCandidates.0, range: logCandidates.1)
        let storedPoints = try storedKeys(
            "SELECT point_key FROM metric_points WHERE time_unix_nano BETWEEN $1 AND $2 AND point_key IN",
            candidates: pointCandidates.0, range: pointCandidates.1)

        newestSeen.spans = max(newest.spans ?? .min, spanRange.high ?? .min)
        newestSeen.logs = max(newest.logs ?? .min, logRange.high ?? .min)
        newestSeen.points = max(newest.points ?? .min, pointRange.high ?? .min)

        fresh.spans = spanKeys.filter { !storedSpans.contains($0.key) }.values.sorted(by: <)
        fresh.pending = pendingKeys.filter { !storedPending.contains($0.key) }.values.sorted(by: <)
        fresh.logs = logKeys.filter { !storedLogs.contains($0.key) }.values.sorted(by: <)
        fresh.points = pointKeys.filter { !storedPoints.contains($0.key) }.values.sorted(by: <)
        return fresh
    }

    private func newestStored() throws -> (spans: Int64?, logs: Int64?, points: Int64?) {
        if let newestCommitted { return newestCommitted }
        let row = try connection.query("""
            SELECT (SELECT max(start_time_unix_nano) FROM spans),
                   (SELECT epoch_us(max(time)) FROM logs),
                   (SELECT max(time_unix_nano) FROM metric_points)
            """).rows[0]
        let newest = (row[0].int64, row[1].int64, row[2].int64)
        newestCommitted = newest
        return newest
    }

    /// Keys already stored among `candidates`; `range` bounds the time column, so DuckDB's
    /// zonemaps skip every row group outside the batch's time span.
    private func storedKeys(_ sqlPrefix: String, candidates: [String], range: TimeRange) throws -> Set<String> {
        guard !candidates.isEmpty, let low = range.low, let high = range.high else { return [] }
        let statement = try connection.prepare(sqlPrefix + " (SELECT unnest(string_split($3, ',')))")
        try statement.bind([.int(low), .int(high), .text(candidates.joined(separator: ","))])
        return Set(try statement.query().rows.compactMap { $0[0].string })
    }

    private func mayHoldPendingSpans() throws -> Bool {
        if let pendingSpansMayExist { return pendingSpansMayExist }
        let stored = try connection.query("SELECT count(*) FROM (SELECT 1 FROM pending_spans LIMIT 1)").rows[0][0].int64 ?? 1
        pendingSpansMayExist = stored > 0
        return stored > 0
    }

    private func deleteWhere(_ sqlPrefix: String, _ values: [String]) throws {
        guard !values.isEmpty else { return }
        let statement = try connection.prepare(sqlPrefix + " (SELECT unnest(string_split($1, ',')))")
        try statement.bind([.text(values.joined(separator: ","))])
        try statement.execute()
    }

    /// Redaction records of the rows this commit stores (a retried row's were stored with it).
    private func appendRedactions(_ batches: [TelemetryBatch], _ fresh: FreshRows, receivedAt: Int64) throws {
        var records: [(table: String, key: String, redaction: Redaction)] = []
        for (b, i) in fresh.spans + fresh.pending where !batches[b].spans[i].redactions.isEmpty {
            let span = batches[b].spans[i]
            for r in span.redactions { records.append((span.isPending ? "pending_spans" : "spans", span.traceID + span.spanID, r)) }
        }
        for (b, i) in fresh.logs { for r in batches[b].logs[i].redactions { records.append(("logs", batches[b].logs[i].key, r)) } }
        for (b, i) in fresh.points {
            for r in batches[b].points[i].redactions { records.append(("metric_points", batches[b].points[i].key, r)) }
        }
        for resource in newResources.values {
            for r in resource.redactions { records.append(("resources", resource.resourceID, r)) }
        }
        guard !records.isEmpty else { return }
        let appender = try connection.appender(table: "redactions")
        for record in records {
            try appender.append(record.table)
            try appender.append(record.key)
            try appender.append(record.redaction.path)
            try appender.append(record.redaction.rule)
            try appender.append(record.redaction.kind.rawValue)
            try appender.appendTimestamp(micros: receivedAt)
            try appender.endRow()
        }
        try appender.close()
    }

    private func appendResources(_ batches: [TelemetryBatch], receivedAt: Int64) throws {
        var unseen: [String: ResourceInfo] = [:]
        // Rows of a request share a few resources: look each up once per run of equal ids,
        // and copy a ResourceInfo only when it is new.
        var last = ""
        func consider(_ resource: borrowing ResourceInfo) {
            guard resource.resourceID != last else { return }
            last = resource.resourceID
            if !knownResources.contains(last), unseen[last] == nil { unseen[last] = copy resource }
        }
        for b in batches.indices {
            for i in batches[b].spans.indices { consider(batches[b].spans[i].resource) }
            for i in batches[b].logs.indices { consider(batches[b].logs[i].resource) }
            for i in batches[b].points.indices { consider(batches[b].points[i].resource) }
        }
        newResources = [:]
        guard !unseen.isEmpty else { return }
        let statement = try connection.prepare(
            "SELECT resource_id FROM resources WHERE resource_id IN (SELECT unnest(string_split($1, ',')))")
        try statement.bind([.text(unseen.keys.joined(separator: ","))])
        for row in try statement.query().rows { if let id = row[0].string { unseen[id] = nil; knownResources.insert(id) } }
        guard !unseen.isEmpty else { return }
        let appender = try connection.appender(table: "resources")
        for resource in unseen.values { try appendResource(resource, to: appender, receivedAt: receivedAt) }
        try appender.close()
        newResources = unseen
        // Known only once committed; a rollback must not hide them from the next commit.
        pendingResources = Set(unseen.keys)
    }

    // MARK: Run id inheritance

    /// Learns the run of every trace in `batches`, from this commit, the cache, or the store, so
    /// rows without a run id of their own take their trace's when appended (writing it into the
    /// rows would copy the submitters' arrays).
    private func learnRunIDs(_ batches: [TelemetryBatch]) throws {
        // Fields are read through the arrays: copying a whole SpanRow per iteration retains
        // and releases each of its strings, which showed in the writer's profile.
        for b in batches.indices {
            for s in batches[b].spans.indices {
                guard let run = batches[b].spans[s].correlation.runID else { continue }
                // Spans stored before this process started may be orphans it never saw.
                runs.learn(trace: batches[b].spans[s].traceID, run: run, start: batches[b].spans[s].startNano,
                           storedBefore: startedAtNano)
            }
        }
        // Traces that began after this process started went through `runs` entirely, so it
        // knows whether they have a run; older ones may have one in the store.
        var orphanStarts: [String: Int64] = [:]
        var older: [String: Int64] = [:]
        for b in batches.indices {
            for s in batches[b].spans.indices where batches[b].spans[s].correlation.runID == nil {
                let trace = batches[b].spans[s].traceID, start = batches[b].spans[s].startNano
                guard runs.run(for: trace) == nil else { continue }
                orphanStarts[trace] = min(orphanStarts[trace] ?? .max, start)
                if start < startedAtNano, !runs.isKnown(trace) {
                    older[trace] = min(older[trace] ?? .max, start)
                }
            }
        }
        if let earliest = older.values.min() {
            let lookup = try connection.prepare("""
                SELECT trace_id, any_value(run_id) FROM spans
                WHERE start_time_unix_nano BETWEEN $2 AND $3
                  AND trace_id IN (SELECT unnest(string_split($1, ','))) AND run_id IS NOT NULL
                GROUP BY trace_id
                """)
            try lookup.bind([.text(older.keys.joined(separator: ",")), .int(earliest - 86_400_000_000_000), .int(startedAtNano)])
            for row in try lookup.query().rows {
                if let trace = row[0].string, let run = row[1].string {
                    runs.learn(trace: trace, run: run, start: older[trace] ?? startedAtNano, storedBefore: startedAtNano)
                }
            }
        }
        for (trace, start) in orphanStarts where runs.run(for: trace) == nil { runs.markOrphan(trace, start: start) }
    }

    /// Rows stored before their trace's run id was known get it now.
    /// One statement for all adopted traces of the commit: a join against the (trace, run)
    /// list, limited to the time range their orphans can lie in.
    private func updateStoredRunIDs() throws {
        let adopted = runs.adoptedOrphans()
        guard let earliest = adopted.map(\.earliestStart).min(),
              let latest = adopted.map(\.latestStart).max() else { return }
        let update = try connection.prepare("""
            UPDATE spans SET run_id = adopted.run
            FROM (SELECT unnest(string_split($1, ',')) AS trace, unnest(string_split($2, ',')) AS run) adopted
            WHERE spans.start_time_unix_nano BETWEEN $3 AND $4
              AND spans.trace_id = adopted.trace AND spans.run_id IS NULL
            """)
        try update.bind([.text(adopted.map(\.trace).joined(separator: ",")),
                         .text(adopted.map(\.run).joined(separator: ",")), .int(earliest), .int(latest)])
        try update.execute()
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
