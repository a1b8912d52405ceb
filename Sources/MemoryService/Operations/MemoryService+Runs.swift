import Contracts
import DuckDB
import MemoryStore

extension MemoryService {
    /// `run_summary`: one run from its spans, facts and envelopes. The run's spans are read
    /// from the big table once, into a temporary table the summary's queries share.
    func runSummary(_ args: Arguments) async throws -> JSONValue {
        let runID = try args.requiredString("run_id")
        return try await readers.run { connection in
            let run: [DuckDB.Value] = [.text(runID)]
            func rows(_ sql: String) throws -> ResultSet {
                // Not cached: DuckDB 1.5.5 fails with an internal error (which invalidates the
                // database) when a kept statement meets the temporary table again.
                let statement = try connection.prepare(sql)
                if statement.parameterCount == 1 { try statement.bind(run) }
                return try statement.query()
            }
            _ = try rows("""
                CREATE OR REPLACE TEMP TABLE run_spans AS
                SELECT name, stage, stage_index, start_time, end_time, status_code, is_exception, exception_type,
                       exception_message, status_message, span_id, service_name, agent, packet_id, trace_id
                FROM spans WHERE run_id = $1
                """)
            defer { try? connection.execute("DROP TABLE IF EXISTS run_spans") }
            let overview = try rows("""
                SELECT count(*), count(*) FILTER (WHERE status_code = 'error' OR is_exception),
                       min(start_time), max(end_time), epoch_ms(max(end_time)) - epoch_ms(min(start_time)),
                       coalesce(list(DISTINCT service_name ORDER BY service_name) FILTER (WHERE service_name IS NOT NULL), []),
                       coalesce(list(DISTINCT agent ORDER BY agent) FILTER (WHERE agent IS NOT NULL), []),
                       any_value(packet_id), coalesce(list(DISTINCT trace_id ORDER BY trace_id), [])
                FROM run_spans
                """).rows[0]
            let stages = try rows("""
                SELECT stage, min(stage_index), min(start_time), max(end_time),
                       (epoch_ns(max(end_time)) - epoch_ns(min(start_time))) / 1e6,
                       arg_max(status_code, start_time), count(*)
                FROM run_spans WHERE stage IS NOT NULL
                GROUP BY stage ORDER BY min(stage_index) NULLS LAST, min(start_time)
                """).rows
            let errors = try rows("""
                SELECT name, stage, start_time, exception_type, coalesce(exception_message, status_message), span_id
                FROM run_spans WHERE status_code = 'error' OR is_exception
                ORDER BY start_time LIMIT 50
                """).rows
            let facts = try rows("""
                SELECT namespace, key, version, written_at, surface FROM memory_history
                WHERE run_id = $1 ORDER BY written_at, namespace, key, version LIMIT 100
                """).rows
            let guards = try rows("""
                SELECT decided_at, guard_id, decision, reason_code, action, stage
                FROM guard_outcomes WHERE run_id = $1 ORDER BY decided_at, event_id LIMIT 100
                """).rows
            let transitions = try rows("""
                SELECT "at", from_state, to_state, reason_code, seq
                FROM state_transitions WHERE run_id = $1 ORDER BY seq NULLS LAST, "at", event_id LIMIT 100
                """).rows
            let derived = try rows("SELECT status, current_state FROM runs WHERE run_id = $1").rows.first
            let spanCount = overview[0].int64 ?? 0
            guard spanCount > 0 || !facts.isEmpty || !guards.isEmpty || !transitions.isEmpty else {
                throw MemoryServiceError.notFound("no run \(runID): no spans, facts or events carry that run id")
            }
            let errorCount = overview[1].int64 ?? 0
            let status: String
            if let derived, let derivedStatus = derived[0].string {
                status = derivedStatus
            } else if stages.contains(where: { $0[5].string == "error" }) || (stages.isEmpty && errorCount > 0) {
                status = "error"
            } else {
                status = spanCount > 0 ? "ok" : "unknown"
            }
            var out = JSONObject()
            out["run_id"] = .string(runID)
            out["status"] = .string(status)
            out["current_state"] = derived.map { JSONValue($0[1]) } ?? .null
            out["packet_id"] = JSONValue(overview[7])
            out["start"] = JSONValue(overview[2])
            out["end"] = JSONValue(overview[3])
            out["duration_ms"] = JSONValue(overview[4])
            out["span_count"] = .integer(spanCount)
            out["error_count"] = .integer(errorCount)
            out["services"] = JSONValue(overview[5])
            out["agents"] = JSONValue(overview[6])
            out["trace_ids"] = JSONValue(overview[8])
            out["stages"] = .array(stages.map { row in
                ["stage": JSONValue(row[0]), "index": JSONValue(row[1]), "start": JSONValue(row[2]),
                 "end": JSONValue(row[3]), "duration_ms": JSONValue(row[4]), "status": JSONValue(row[5]),
                 "attempts": JSONValue(row[6])]
            })
            out["errors"] = .array(errors.map { row in
                ["span_name": JSONValue(row[0]), "stage": JSONValue(row[1]), "time": JSONValue(row[2]),
                 "exception_type": JSONValue(row[3]), "message": JSONValue(row[4]), "span_id": JSONValue(row[5])]
            })
            out["facts"] = .array(facts.map { row in
                ["namespace": JSONValue(row[0]), "key": JSONValue(row[1]), "version": JSONValue(row[2]),
                 "written_at": JSONValue(row[3]), "surface": JSONValue(row[4])]
            })
            out["guard_outcomes"] = .array(guards.map { row in
                ["time": JSONValue(row[0]), "guard_id": JSONValue(row[1]), "decision": JSONValue(row[2]),
                 "reason_code": JSONValue(row[3]), "action": JSONValue(row[4]), "stage": JSONValue(row[5])]
            })
            out["transitions"] = .array(transitions.map { row in
                ["time": JSONValue(row[0]), "from": JSONValue(row[1]), "to": JSONValue(row[2]),
                 "reason_code": JSONValue(row[3]), "seq": JSONValue(row[4])]
            })
            return .object(out)
        }
    }

    /// `find_exceptions`: recent exceptions grouped by type and where they happened.
    func findExceptions(_ args: Arguments) async throws -> JSONValue {
        let minutes = args.int("since_minutes") ?? 60
        let limit = args.int("limit") ?? 20
        let groups = try await readers.run { connection in
            let statement = try connection.prepare("""
                SELECT coalesce(exception_type, 'error status') AS type, name AS location, count(*) AS n,
                       min(start_time), max(start_time),
                       arg_max(coalesce(exception_message, status_message), start_time),
                       list(DISTINCT run_id) FILTER (WHERE run_id IS NOT NULL)[1:10]
                FROM spans
                WHERE (is_exception OR status_code = 'error') AND start_time >= now() - to_minutes($1)
                GROUP BY ALL ORDER BY n DESC, max(start_time) DESC LIMIT $2
                """)
            try statement.bind([.int(minutes), .int(limit)])
            return try statement.query().rows
        }
        return ["groups": .array(groups.map { row in
            ["exception_type": JSONValue(row[0]), "location": JSONValue(row[1]), "count": JSONValue(row[2]),
             "first_seen": JSONValue(row[3]), "last_seen": JSONValue(row[4]), "sample_message": JSONValue(row[5]),
             "run_ids": JSONValue(row[6])]
        })]
    }
}
