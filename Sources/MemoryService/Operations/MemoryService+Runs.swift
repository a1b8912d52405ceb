import Contracts
import DuckDB
import MemoryStore

extension MemoryService {
    /// `run_summary`: one run from its spans, facts and envelopes. Two statements, each planned
    /// once per reader: the run's spans (one scan of the big table; the summary is built from
    /// them here, which costs less than DuckDB's pipelines for a few dozen rows), and the run's
    /// derived row, facts, guard outcomes and transitions shaped as JSON by DuckDB.
    func runSummary(_ args: Arguments) async throws -> JSONValue {
        let runID = try args.requiredString("run_id")
        let (spans, related) = try await readers.run { connection in
            let spans = try connection.cachedStatement(Self.runSpansSQL)
            try spans.bind([.text(runID)])
            let others = try connection.cachedStatement(Self.runRelatedSQL)
            try others.bind([.text(runID)])
            return (try spans.query().rows.map(RunSpan.init), Self.related(try others.query().rows))
        }
        let empty = { (name: String) in related[name]?.arrayValue?.isEmpty ?? true }
        guard !spans.isEmpty || !empty("facts") || !empty("guard_outcomes") || !empty("transitions") else {
            throw MemoryServiceError.notFound("no run \(runID): no spans, facts or events carry that run id")
        }
        let summary = RunSpan.Summary(spans)
        var out = JSONObject()
        out["run_id"] = .string(runID)
        // The derived `runs` row knows transitions and guard outcomes; until the deriver has
        // seen the run (about a second), the spans alone decide.
        out["status"] = related["derived"]?["status"] ?? .string(summary.status)
        out["current_state"] = related["derived"]?["current_state"] ?? .null
        for (key, value) in summary.fields { out[key] = value }
        for key in ["facts", "guard_outcomes", "transitions"] { out[key] = related[key] ?? [] }
        return .object(out)
    }

    static let runSpansSQL = """
        SELECT name, stage, stage_index, start_time_unix_nano, end_time_unix_nano, status_code,
               is_exception OR status_code = 'error', exception_type, coalesce(exception_message, status_message),
               span_id, service_name, agent, packet_id, trace_id
        FROM spans WHERE run_id = $1
        """

    /// The run's derived row, facts, guard outcomes and transitions as rows of one shape
    /// (`part`, order, time, five texts, a number): one pipeline instead of four.
    static let runRelatedSQL = """
        SELECT 'derived' AS part, 0 AS n, NULL::TIMESTAMPTZ AS t, status AS a, current_state AS b, NULL AS c, NULL AS d,
               NULL AS e, NULL::BIGINT AS i
        FROM runs WHERE run_id = $1
        UNION ALL
        (SELECT 'facts', row_number() OVER (ORDER BY written_at, namespace, key, version), written_at, namespace, key, surface,
                NULL, NULL, version
         FROM memory_history WHERE run_id = $1 ORDER BY written_at, namespace, key, version LIMIT 100)
        UNION ALL
        (SELECT 'guard_outcomes', row_number() OVER (ORDER BY decided_at, event_id), decided_at, guard_id, decision,
                reason_code, action, stage, NULL
         FROM guard_outcomes WHERE run_id = $1 ORDER BY decided_at, event_id LIMIT 100)
        UNION ALL
        (SELECT 'transitions', row_number() OVER (ORDER BY seq NULLS LAST, "at", event_id), "at", from_state, to_state,
                reason_code, NULL, NULL, seq
         FROM state_transitions WHERE run_id = $1 ORDER BY seq NULLS LAST, "at", event_id LIMIT 100)
        """

    /// `runRelatedSQL`'s rows as the summary's members.
    static func related(_ rows: [[DuckDB.Value]]) -> [String: JSONValue] {
        var parts: [String: [(Int64, JSONValue)]] = ["facts": [], "guard_outcomes": [], "transitions": []]
        var out: [String: JSONValue] = [:]
        for row in rows {
            let text = { (i: Int) in JSONValue(row[i]) }
            switch row[0].string {
            case "derived":
                out["derived"] = ["status": text(3), "current_state": text(4)]
            case "facts":
                parts["facts"]!.append((row[1].int64 ?? 0, ["namespace": text(3), "key": text(4), "version": text(8),
                                                            "written_at": text(2), "surface": text(5)]))
            case "guard_outcomes":
                parts["guard_outcomes"]!.append((row[1].int64 ?? 0, ["time": text(2), "guard_id": text(3), "decision": text(4),
                                                                     "reason_code": text(5), "action": text(6), "stage": text(7)]))
            case "transitions":
                parts["transitions"]!.append((row[1].int64 ?? 0, ["time": text(2), "from": text(3), "to": text(4),
                                                                  "reason_code": text(5), "seq": text(8)]))
            default: continue
            }
        }
        for (name, items) in parts { out[name] = .array(items.sorted { $0.0 < $1.0 }.map(\.1)) }
        return out
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
