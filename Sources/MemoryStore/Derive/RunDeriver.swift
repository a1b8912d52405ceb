import DuckDB

/// Builds the derived tables from the raw rows: `guard_outcomes` and `state_transitions` from
/// accepted envelopes, facts from `dome.memory.fact` envelopes (through `FactStore`, the code
/// path of `memory_upsert`), and `runs` and `stages` from spans and envelopes together.
///
/// Every derived row is a function of raw rows alone (no clock, no arrival order beyond the
/// stored one), so a live pass and `replay` produce identical tables. A pass recomputes each
/// run it touches from all of that run's rows. Run it on one serialized connection (the
/// memory service's write lane, or the CLI's own); the ingest writer never waits for it.
public enum RunDeriver {
    public struct Result: Sendable, Equatable {
        public var guardOutcomes = 0
        public var transitions = 0
        public var facts = 0
        public var runs = 0

        public init() {}
    }

    /// What `replay` rebuilds: everything, or the rows of a time range, topic or run.
    public struct Selection: Sendable, Equatable {
        /// Microseconds since the Unix epoch: events at or after it, spans starting at or after it.
        public var since: Int64?
        public var topic: String?
        public var runID: String?

        public init(since: Int64? = nil, topic: String? = nil, runID: String? = nil) {
            self.since = since
            self.topic = topic
            self.runID = runID
        }

        var isEverything: Bool { since == nil && topic == nil && runID == nil }
    }

    public static let derivedTables = ["guard_outcomes", "state_transitions", "runs", "stages"]

    static let guardTopic = "dome.guard.outcome"
    static let transitionTopic = "dome.run.transition"
    static let factTopic = "dome.memory.fact"
    /// Guard decisions and transitions can also arrive as spans (`MemoryTelemetry` records
    /// them as log spans carrying `dome.event` and the contract's fields): their rows name
    /// this source and the span as the event.
    static let spanSource = "span"
    static let spanEventID = "trace_id || ':' || span_id"

    /// Derives from the raw rows that arrived since the last pass. One transaction.
    @discardableResult
    public static func refresh(on connection: Connection) throws -> Result {
        try connection.transaction {
            let events = try window("events", on: connection)
            let spans = try window("spans", on: connection)
            guard events != nil || spans != nil else { return Result() }
            let eventFilter = events.map { "received_at > '\($0.after)'::TIMESTAMPTZ AND received_at <= '\($0.through)'::TIMESTAMPTZ" } ?? "false"
            let spanFilter = spans.map { "received_at > '\($0.after)'::TIMESTAMPTZ AND received_at <= '\($0.through)'::TIMESTAMPTZ" } ?? "false"
            var result = try project(eventsWhere: eventFilter, guardSpansWhere: spanFilter, transitionSpansWhere: spanFilter,
                                     on: connection)
            result.facts = try applyFacts(eventsWhere: eventFilter, on: connection)
            try connection.execute("""
                CREATE OR REPLACE TEMP TABLE dirty_runs AS
                SELECT DISTINCT run_id FROM (
                    SELECT coalesce(data->>'run_id', run_id) AS run_id FROM events WHERE \(eventFilter) AND NOT unknown_topic
                    UNION ALL SELECT run_id FROM spans WHERE \(spanFilter)
                ) WHERE run_id IS NOT NULL
                """)
            result.runs = try recompute(on: connection)
            for (source, mark) in [("events", events), ("spans", spans)] {
                guard let mark else { continue }
                try connection.execute("INSERT OR REPLACE INTO derive_state VALUES ('\(source)', '\(mark.through)'::TIMESTAMPTZ)")
            }
            return result
        }
    }

    /// Rebuilds the derived rows of `selection` from the stored raw rows (facts excepted: they
    /// were applied once and are primary data from then on). One transaction.
    @discardableResult
    public static func replay(_ selection: Selection, on connection: Connection) throws -> Result {
        try connection.transaction {
            var conditions = ["NOT unknown_topic"]
            if let since = selection.since { conditions.append("time >= to_timestamp(\(since) / 1e6)") }
            if let topic = selection.topic { conditions.append("topic = \(SQL.literal(topic))") }
            if let run = selection.runID { conditions.append("coalesce(data->>'run_id', run_id) = \(SQL.literal(run))") }
            let eventFilter = conditions.joined(separator: " AND ")
            var spanConditions = ["run_id IS NOT NULL"]
            if let since = selection.since { spanConditions.append("start_time >= to_timestamp(\(since) / 1e6)") }
            if let run = selection.runID { spanConditions.append("run_id = \(SQL.literal(run))") }
            let selectedSpans = spanConditions.joined(separator: " AND ")
            // Spans that carry a domain event belong to that event's topic.
            let guardSpans = selection.topic == nil || selection.topic == guardTopic ? selectedSpans : "false"
            let transitionSpans = selection.topic == nil || selection.topic == transitionTopic ? selectedSpans : "false"
            for (table, spans) in [("guard_outcomes", guardSpans), ("state_transitions", transitionSpans)] {
                try connection.execute("""
                    DELETE FROM \(table) WHERE (source, event_id) IN (SELECT source, id FROM events WHERE \(eventFilter))
                        OR (source = '\(spanSource)' AND event_id IN (SELECT \(spanEventID) FROM spans WHERE \(spans)));
                    """)
            }
            let result = try project(eventsWhere: eventFilter, guardSpansWhere: guardSpans, transitionSpansWhere: transitionSpans,
                                     on: connection)
            // A topic other than the run tables' own leaves spans out of the selection.
            let spanFilter = selection.topic == nil ? spanConditions.joined(separator: " AND ") : "false"
            try connection.execute("""
                CREATE OR REPLACE TEMP TABLE dirty_runs AS
                SELECT DISTINCT run_id FROM (
                    SELECT coalesce(data->>'run_id', run_id) AS run_id FROM events WHERE \(eventFilter)
                    UNION ALL SELECT run_id FROM spans WHERE \(spanFilter)
                    UNION ALL SELECT run_id FROM runs WHERE \(selection.isEverything ? "true" : "false")
                ) WHERE run_id IS NOT NULL
                """)
            var replayed = result
            replayed.runs = try recompute(on: connection)
            return replayed
        }
    }

    /// A digest of each derived table's rows in a fixed order: equal digests, equal tables.
    public static func digests(on connection: Connection) throws -> [(table: String, rows: Int64, md5: String)] {
        try derivedTables.map { table in
            let row = try connection.query("""
                SELECT count(*), coalesce(md5(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR)), '') FROM \(table) t
                """).rows[0]
            return (table, row[0].int64 ?? 0, row[1].string ?? "")
        }
    }

    // MARK: - Passes

    private struct Window {
        let after: String
        let through: String
    }

    /// The received_at range of `table` not derived yet, nil when nothing arrived.
    private static func window(_ table: String, on connection: Connection) throws -> Window? {
        let row = try connection.query("""
            SELECT coalesce((SELECT watermark FROM derive_state WHERE source = '\(table)'), '-infinity'::TIMESTAMPTZ)::VARCHAR,
                   (SELECT max(received_at) FROM \(table))::VARCHAR,
                   coalesce((SELECT watermark FROM derive_state WHERE source = '\(table)') < (SELECT max(received_at) FROM \(table)), true)
                   AND (SELECT max(received_at) FROM \(table)) IS NOT NULL
            """).rows[0]
        guard row[2] == .bool(true), let after = row[0].string, let through = row[1].string else { return nil }
        return Window(after: after, through: through)
    }

    /// Typed rows for the guard outcome and transition envelopes among `eventsWhere`, and for
    /// the spans among `guardSpansWhere` / `transitionSpansWhere` that record one.
    private static func project(eventsWhere filter: String, guardSpansWhere guardSpans: String,
                                transitionSpansWhere transitionSpans: String, on connection: Connection) throws -> Result {
        var result = Result()
        result.guardOutcomes = try connection.prepare("""
            INSERT INTO guard_outcomes
            SELECT source, id, data->>'run_id', coalesce(data->>'packet_id', packet_id), data->>'stage',
                   data->>'guard_id', data->>'decision', data->>'reason_code', data->>'action',
                   CAST(data->>'decided_at' AS TIMESTAMPTZ), coalesce(data->>'trace_id', trace_id), data->>'span_id',
                   data->'detail'
            FROM events WHERE topic = '\(guardTopic)' AND \(filter)
            ORDER BY received_at, ingest_source, byte_offset
            """).execute()
        result.guardOutcomes += try connection.prepare("""
            INSERT INTO guard_outcomes
            SELECT '\(spanSource)', \(spanEventID), run_id, packet_id, coalesce(stage, attributes->>'dome.stage'),
                   attributes->>'guard_id', attributes->>'decision', attributes->>'reason_code', attributes->>'action',
                   start_time, trace_id, span_id, to_json(attributes->>'detail')
            FROM spans
            WHERE \(guardSpans) AND run_id IS NOT NULL AND (attributes->>'dome.event') = 'xtrlv2/guard_outcome.v1'
              AND (attributes->>'guard_id') IS NOT NULL AND (attributes->>'decision') IS NOT NULL
              AND (attributes->>'reason_code') IS NOT NULL
            ORDER BY received_at, trace_id, span_id
            """).execute()
        result.transitions = try connection.prepare("""
            INSERT INTO state_transitions
            SELECT source, id, data->>'run_id', coalesce(data->>'packet_id', packet_id), data->>'from_state',
                   data->>'to_state', data->>'reason_code', data->>'actor', TRY_CAST(data->>'seq' AS BIGINT),
                   CAST(data->>'at' AS TIMESTAMPTZ)
            FROM events WHERE topic = '\(transitionTopic)' AND \(filter)
            ORDER BY received_at, ingest_source, byte_offset
            """).execute()
        result.transitions += try connection.prepare("""
            INSERT INTO state_transitions
            SELECT '\(spanSource)', \(spanEventID), run_id, packet_id, attributes->>'from_state', attributes->>'to_state',
                   attributes->>'reason_code', attributes->>'actor', TRY_CAST(attributes->>'seq' AS BIGINT), start_time
            FROM spans
            WHERE \(transitionSpans) AND run_id IS NOT NULL AND (attributes->>'dome.event') = 'xtrlv2/state_transition.v1'
              AND (attributes->>'from_state') IS NOT NULL AND (attributes->>'to_state') IS NOT NULL
              AND (attributes->>'reason_code') IS NOT NULL
            ORDER BY received_at, trace_id, span_id
            """).execute()
        return result
    }

    /// Applies fact envelopes in arrival order, each written at its envelope's time, in one
    /// batch through `FactStore` (the versioning `memory_upsert` uses).
    private static func applyFacts(eventsWhere filter: String, on connection: Connection) throws -> Int {
        let facts = try connection.query("""
            SELECT data->>'namespace', data->>'key', data->'value', TRY_CAST(data->>'ttl_s' AS BIGINT),
                   coalesce(data->>'run_id', run_id), trace_id, source, epoch_us(time)
            FROM events WHERE topic = '\(factTopic)' AND \(filter)
            ORDER BY received_at, ingest_source, byte_offset
            """).rows
        let writes = facts.compactMap { row -> (write: FactWrite, now: Int64)? in
            guard let namespace = row[0].string, let key = row[1].string, let value = row[2].string,
                  let time = row[7].int64 else { return nil }
            return (FactWrite(namespace: namespace, key: key, value: value, runID: row[4].string, traceID: row[5].string,
                              source: row[6].string, surface: "envelope", writtenBy: row[6].string, ttlSeconds: row[3].int64),
                    time)
        }
        return try FactStore.applyAll(writes, on: connection).count { if case .written = $0 { true } else { false } }
    }

    /// Replaces the `runs` and `stages` rows of every run in `dirty_runs` with ones computed
    /// from all of that run's spans and envelopes. Returns how many runs exist afterwards.
    private static func recompute(on connection: Connection) throws -> Int {
        try connection.execute("""
            DELETE FROM stages WHERE run_id IN (SELECT run_id FROM dirty_runs);
            DELETE FROM runs WHERE run_id IN (SELECT run_id FROM dirty_runs);
            CREATE OR REPLACE TEMP TABLE dirty_spans AS
            SELECT run_id, stage, stage_index, start_time, end_time, status_code, is_exception, packet_id, milestone,
                   agent, attempt, span_id
            FROM spans WHERE run_id IN (SELECT run_id FROM dirty_runs);
            INSERT INTO stages
            WITH spanned AS (
                SELECT run_id, stage, min(stage_index) AS stage_index, min(start_time) AS start_time,
                       max(end_time) AS end_time, count(*) AS attempts,
                       first(status_code ORDER BY start_time DESC, span_id DESC) AS last_status
                FROM dirty_spans WHERE stage IS NOT NULL GROUP BY run_id, stage
            ),
            guarded AS (
                SELECT run_id, stage, count(*) FILTER (WHERE decision = 'deny') AS denies
                FROM guard_outcomes WHERE run_id IN (SELECT run_id FROM dirty_runs) AND stage IS NOT NULL
                GROUP BY run_id, stage
            )
            SELECT run_id, stage, s.stage_index, s.start_time, s.end_time,
                   (epoch_ns(s.end_time) - epoch_ns(s.start_time)) / 1e6,
                   CASE WHEN s.last_status = 'error' THEN 'error'
                        WHEN coalesce(g.denies, 0) > 0 THEN 'denied'
                        ELSE 'ok' END,
                   coalesce(s.attempts, 0), coalesce(g.denies, 0)
            FROM spanned s FULL JOIN guarded g USING (run_id, stage);
            INSERT INTO runs
            WITH spanned AS (
                SELECT run_id, min(start_time) AS first_seen, max(end_time) AS last_seen, count(*) AS spans,
                       count(*) FILTER (WHERE status_code = 'error' OR is_exception) AS errors,
                       min(packet_id) AS packet_id, min(milestone) AS milestone, min(agent) AS agent, max(attempt) AS attempt
                FROM dirty_spans GROUP BY run_id
            ),
            enveloped AS (
                SELECT coalesce(data->>'run_id', run_id) AS run_id, min(time) AS first_seen, max(time) AS last_seen,
                       min(packet_id) AS packet_id
                FROM events WHERE NOT unknown_topic AND coalesce(data->>'run_id', run_id) IN (SELECT run_id FROM dirty_runs)
                GROUP BY 1
            ),
            transitioned AS (
                SELECT run_id, first(to_state ORDER BY seq DESC NULLS LAST, "at" DESC, event_id DESC) AS state, count(*) AS n,
                       min(packet_id) AS packet_id,
                       -- seq numbers from 0 to the highest that no stored transition has
                       coalesce(max(seq) + 1 - count(DISTINCT seq), 0) AS seq_gaps
                FROM state_transitions WHERE run_id IN (SELECT run_id FROM dirty_runs) GROUP BY run_id
            ),
            guarded AS (
                SELECT run_id, count(*) FILTER (WHERE decision = 'deny') AS denies, min(packet_id) AS packet_id
                FROM guard_outcomes WHERE run_id IN (SELECT run_id FROM dirty_runs) GROUP BY run_id
            ),
            staged AS (
                SELECT run_id, bool_or(status = 'error') AS failed_stage, bool_or(status = 'denied') AS denied_stage
                FROM stages WHERE run_id IN (SELECT run_id FROM dirty_runs) GROUP BY run_id
            )
            SELECT d.run_id, coalesce(s.packet_id, t.packet_id, g.packet_id, e.packet_id), s.milestone, s.agent, s.attempt,
                   least(s.first_seen, e.first_seen), greatest(s.last_seen, e.last_seen), t.state,
                   CASE WHEN t.state IN ('succeeded', 'failed', 'cancelled', 'blocked') THEN t.state
                        WHEN t.state IS NOT NULL THEN 'running'
                        WHEN coalesce(st.failed_stage, false) OR (st.run_id IS NULL AND coalesce(s.errors, 0) > 0) THEN 'error'
                        WHEN coalesce(st.denied_stage, false) THEN 'denied'
                        ELSE 'ok' END,
                   coalesce(s.spans, 0), coalesce(s.errors, 0), coalesce(g.denies, 0), coalesce(t.n, 0), coalesce(t.seq_gaps, 0)
            FROM dirty_runs d LEFT JOIN spanned s USING (run_id) LEFT JOIN enveloped e USING (run_id)
                 LEFT JOIN transitioned t USING (run_id) LEFT JOIN guarded g USING (run_id) LEFT JOIN staged st USING (run_id)
            WHERE s.run_id IS NOT NULL OR e.run_id IS NOT NULL;
            DROP TABLE dirty_spans;
            """)
        return Int(try connection.query("SELECT count(*) FROM runs WHERE run_id IN (SELECT run_id FROM dirty_runs)").rows[0][0].int64 ?? 0)
    }
}
