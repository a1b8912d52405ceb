import Contracts

/// The memory tools, named and shaped as `CONTRACT.md` lists them. Every surface derives its
/// listing from here, so names, arguments and annotations cannot drift apart.
enum ToolCatalog {
    static let all: [Tool] = [
        query, search, upsert, get, forget, health, schema, runSummary, findExceptions, opsGate, planStatus, packetStatus,
    ]

    private static let string: JSONValue = ["type": "string"]
    private static func object(_ properties: [(String, JSONValue)], required: [String] = [], description: String? = nil) -> JSONValue {
        var o = JSONObject([("type", "object"), ("properties", .object(JSONObject(properties))),
                            ("additionalProperties", false)] as [(String, JSONValue)])
        if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
        if let description { o["description"] = .string(description) }
        return .object(o)
    }
    private static func described(_ schema: JSONValue, _ text: String) -> JSONValue {
        guard case .object(var o) = schema else { return schema }
        o["description"] = .string(text)
        return .object(o)
    }
    private static let timestamp: JSONValue = ["type": "string", "description": "RFC 3339 time, e.g. 2026-11-25T10:00:00Z"]
    private static let anyObject: JSONValue = ["type": "object"]
    private static let nullableString: JSONValue = ["type": ["string", "null"]]
    private static let anyArray: JSONValue = ["type": "array"]

    static let query = Tool(
        name: "memory_query", title: "Query the store (read-only SQL)",
        description: """
            Run one read-only SQL statement (DuckDB dialect) over memoryd's tables (spans, logs, events, runs, \
            memories, … and the Logfire-compatible `records` view; see memory_schema). Parameters bind to $1, $2, …. \
            Bounded: max_rows (default 100, cap 10000), 4 MiB of result, timeout_ms (default 5000, cap 30000). \
            No file, network, settings or extension access.
            """,
        inputSchema: object([
            ("sql", described(string, "one SELECT / WITH / FROM / EXPLAIN statement")),
            ("params", described(["type": "array"], "values for $1, $2, … (strings, numbers, booleans, null)")),
            ("max_rows", ["type": "integer", "minimum": 1, "maximum": 10000]),
            ("timeout_ms", ["type": "integer", "minimum": 1, "maximum": 30000]),
        ], required: ["sql"]),
        outputSchema: object([
            ("columns", ["type": "array", "items": object([("name", string), ("type", string)])]),
            ("rows", ["type": "array", "items": anyArray]),
            ("row_count", ["type": "integer"]),
            ("truncated", ["type": "boolean"]),
            ("truncated_reason", string),
            ("elapsed_ms", ["type": "number"]),
        ], required: ["columns", "rows", "row_count", "truncated", "elapsed_ms"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let search = Tool(
        name: "memory_search", title: "Search memory",
        description: """
            Full-text search (BM25, most recent first among equal scores) over span names and messages, logs, \
            events and facts. Filter by run_id, time (since/until) and kinds (span, log, event, fact).
            """,
        inputSchema: object([
            ("text", described(string, "words to look for")),
            ("run_id", string),
            ("since", timestamp),
            ("until", timestamp),
            ("kinds", ["type": "array", "items": ["enum": ["span", "log", "event", "fact"]]]),
            ("limit", ["type": "integer", "minimum": 1, "maximum": 200]),
        ], required: ["text"]),
        outputSchema: object([
            ("matches", ["type": "array", "items": object([
                ("kind", string), ("time", string), ("run_id", ["type": ["string", "null"]]),
                ("trace_id", ["type": ["string", "null"]]), ("ref", string), ("title", ["type": ["string", "null"]]),
                ("snippet", string), ("score", ["type": "number"]),
            ])]),
            ("indexed_through", ["type": ["string", "null"]]),
        ], required: ["matches"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let upsert = Tool(
        name: "memory_upsert", title: "Remember a fact",
        description: """
            Write a fact {namespace, key, value (any JSON)}; returns its new version. Every version is kept with \
            who wrote it, when, from which surface, run and trace. if_version makes it conditional (0: only if \
            the key does not exist); a mismatch is an error and writes nothing. ttl_s makes it expire.
            """,
        inputSchema: object([
            ("namespace", ["type": "string", "minLength": 1, "maxLength": 128]),
            ("key", ["type": "string", "minLength": 1, "maxLength": 512]),
            ("value", described([:], "any JSON value (at most 64 KiB as JSON text)")),
            ("run_id", string),
            ("ttl_s", ["type": "integer", "minimum": 1]),
            ("if_version", ["type": "integer", "minimum": 0]),
            ("source", string),
        ], required: ["namespace", "key", "value"]),
        outputSchema: object([("namespace", string), ("key", string), ("version", ["type": "integer"])],
                             required: ["version"]),
        annotations: .init(readOnly: false, destructive: false, idempotent: false))

    static let get = Tool(
        name: "memory_get", title: "Read a fact",
        description: "Read a fact's current value and version; with history=true, every version, newest first.",
        inputSchema: object([
            ("namespace", string), ("key", string), ("history", ["type": "boolean"]),
        ], required: ["namespace", "key"]),
        outputSchema: object([
            ("namespace", string), ("key", string), ("value", [:]), ("version", ["type": "integer"]),
            ("run_id", nullableString), ("trace_id", nullableString), ("source", nullableString), ("surface", string),
            ("written_by", nullableString), ("updated_at", string), ("expires_at", nullableString),
            ("history", ["type": "array", "items": anyObject]),
        ], required: ["namespace", "key", "value", "version"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let forget = Tool(
        name: "memory_forget", title: "Forget facts",
        description: """
            Delete facts selected by namespace, key and/or run_id (at least one), with every version and their \
            search entries: a real delete. Returns the counts.
            """,
        inputSchema: object([("namespace", string), ("key", string), ("run_id", string)]),
        outputSchema: object([
            ("facts", ["type": "integer"]), ("versions", ["type": "integer"]), ("search_documents", ["type": "integer"]),
        ], required: ["facts", "versions"]),
        annotations: .init(readOnly: false, destructive: true, idempotent: true))

    static let health = Tool(
        name: "memory_health", title: "Health of memoryd",
        description: "Status, versions, table row counts, database size, ingest queue depth and lag per source, uptime.",
        inputSchema: object([]),
        outputSchema: object([
            ("status", string), ("memoryd_version", string), ("duckdb_version", string),
            ("schema_version", ["type": "integer"]), ("uptime_s", ["type": "number"]), ("db_bytes", ["type": "integer"]),
            ("row_counts", anyObject), ("ingest", anyObject), ("sources", anyArray), ("alerts", anyObject),
        ], required: ["status"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let schema = Tool(
        name: "memory_schema", title: "Tables and columns",
        description: "The tables and views memory_query can read: columns, types and one line of meaning each.",
        inputSchema: object([("table", described(string, "only this table or view"))]),
        outputSchema: object([("tables", ["type": "array", "items": object([
            ("name", string), ("kind", string), ("description", string),
            ("columns", ["type": "array", "items": object([("name", string), ("type", string), ("description", string)])]),
        ])])], required: ["tables"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let runSummary = Tool(
        name: "run_summary", title: "Summary of one run",
        description: """
            One run (dome.run.id): its time span, services and agents, stages in order with timings, status and \
            attempts, errors and exceptions, facts written, guard outcomes and state transitions.
            """,
        inputSchema: object([("run_id", string)], required: ["run_id"]),
        outputSchema: object([
            ("run_id", string), ("status", string), ("current_state", nullableString), ("packet_id", nullableString),
            ("start", nullableString), ("end", nullableString), ("duration_ms", ["type": ["number", "null"]]),
            ("services", anyArray), ("agents", anyArray), ("trace_ids", anyArray),
            ("span_count", ["type": "integer"]), ("error_count", ["type": "integer"]),
            ("stages", anyArray), ("errors", anyArray), ("facts", anyArray),
            ("guard_outcomes", anyArray), ("transitions", anyArray),
        ], required: ["run_id", "status", "stages"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let findExceptions = Tool(
        name: "find_exceptions", title: "Recent exceptions",
        description: "Exceptions recorded in the last since_minutes (default 60), grouped by type and location (span name), most frequent first.",
        inputSchema: object([
            ("since_minutes", ["type": "integer", "minimum": 1, "maximum": 525600]),
            ("limit", ["type": "integer", "minimum": 1, "maximum": 500]),
        ]),
        outputSchema: object([("groups", ["type": "array", "items": object([
            ("exception_type", string), ("location", string), ("count", ["type": "integer"]),
            ("first_seen", string), ("last_seen", string), ("sample_message", ["type": ["string", "null"]]),
            ("run_ids", anyArray),
        ])])], required: ["groups"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let opsGate = Tool(
        name: "ops_gate", title: "Ops gate: may this run proceed?",
        description: """
            allow, hold or deny for one run (opctrl/gate_decision.v1), the strictest input winning: a guard outcome \
            whose reason code maps to deny, a failed or cancelled run, or a broken audit chain deny; a hold code, a \
            firing alert covering the run, or ingest lag over its threshold hold. Each reason names its source row \
            and runbook. An unknown run is not_found.
            """,
        inputSchema: object([("run_id", ["type": "string", "minLength": 1])], required: ["run_id"]),
        outputSchema: object([
            ("run_id", string),
            ("decision", ["enum": ["allow", "hold", "deny"]]),
            ("reasons", ["type": "array", "items": object([
                ("reason_code", string),
                ("source", ["enum": ["guard_outcome", "state", "alert", "audit"]]),
                ("ref", described(string, "id of the row behind the reason")),
                ("runbook", nullableString),
            ], required: ["reason_code", "source"])]),
            ("decided_at", timestamp),
        ], required: ["run_id", "decision", "reasons", "decided_at"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    private static let packetStatusSchema = object([
        ("packet_id", string), ("milestone", string), ("title", string), ("priority", string),
        ("depends_on", described(anyArray, "every packet this one waits for")),
        ("missing", described(anyArray, "the prerequisites that are not done")),
        ("status", ["enum": ["done", "in_progress", "blocked", "failed", "not_started"]]),
        ("run_id", described(nullableString, "the run that proves the status")),
        ("evidence", ["type": "array", "items": object([("table", string), ("ref", string), ("detail", string)])]),
    ], required: ["packet_id", "milestone", "status", "run_id", "evidence"])

    static let planStatus = Tool(
        name: "plan_status", title: "Execution tracker: milestones and packets",
        description: """
            The loaded plan (memoryd plan load): each milestone and work packet with its status derived from observed \
            runs (done, in_progress, blocked, failed, not_started), the run and rows that prove it, and the milestone \
            and cross-system dependency matrices (1 where the row depends on the column). not_found when no plan is loaded.
            """,
        inputSchema: object([]),
        outputSchema: object([
            ("plan", string),
            ("milestones", ["type": "array", "items": object([
                ("order", ["type": "integer"]), ("milestone", string), ("title", string), ("scope", string),
                ("priority", string), ("depends_on", anyArray), ("status", string), ("packets", anyArray), ("runs", anyArray),
            ], required: ["order", "milestone", "status"])]),
            ("packets", ["type": "array", "items": packetStatusSchema]),
            ("milestone_matrix", object([("ids", anyArray), ("rows", anyArray)])),
            ("system_matrix", object([("ids", anyArray), ("rows", anyArray)])),
        ], required: ["plan", "milestones", "packets", "milestone_matrix"]),
        annotations: .init(readOnly: true, destructive: false, idempotent: true))

    static let packetStatus = Tool(
        name: "packet_status", title: "Status of one work packet",
        description: """
            One packet of the loaded plan: its derived status, the run that proves it with the rows behind it, and \
            the prerequisite packets still missing. not_found for a packet the plan does not have.
            """,
        inputSchema: object([("packet_id", ["type": "string", "minLength": 1])], required: ["packet_id"]),
        outputSchema: packetStatusSchema,
        annotations: .init(readOnly: true, destructive: false, idempotent: true))
}
