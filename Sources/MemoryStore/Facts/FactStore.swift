import DuckDB
import Foundation

/// Reads and writes facts on a connection the caller serializes (the service's write lane),
/// each operation in one transaction. Expired facts are invisible to every read and count as
/// absent for `ifVersion`; `purgeExpired` deletes them later.
public enum FactStore {
    public enum WriteOutcome: Sendable, Equatable {
        case written(version: Int64)
        /// `ifVersion` did not match; nothing was written. `current` is nil when the key is absent.
        case conflict(current: Int64?)
    }

    public static func upsert(_ write: FactWrite, on connection: Connection, now: Int64 = nowMicros()) throws -> WriteOutcome {
        try connection.transaction { try apply(write, on: connection, now: now) }
    }

    /// `upsert` inside a transaction the caller owns (the deriver applies envelope facts
    /// with the other rows of its pass). `now` is the write's time.
    static func apply(_ write: FactWrite, on connection: Connection, now: Int64) throws -> WriteOutcome {
        do {
            let existing = try connection.cachedStatement("SELECT version, expires_at FROM memories WHERE namespace = $1 AND key = $2")
            try existing.bind([.text(write.namespace), .text(write.key)])
            let row = try existing.query().rows.first
            let storedVersion = row?[0].int64
            let isLive = row.map { Self.isLive(expiresAt: $0[1], now: now) } ?? false
            let current = isLive ? storedVersion : nil
            if let expected = write.ifVersion, expected != (current ?? 0) {
                return .conflict(current: current)
            }
            // Numbering continues over an expired version so history stays ordered.
            let version = (storedVersion ?? 0) + 1
            let expiresAt: Value = write.ttlSeconds.map { .timestamp(now + $0 * 1_000_000) } ?? .null
            let common: [Value] = [
                .text(write.value), .int(version), optional(write.runID), optional(write.traceID),
                optional(write.source), .text(write.surface), optional(write.writtenBy), .timestamp(now), expiresAt,
            ]
            if storedVersion == nil {
                let insert = try connection.cachedStatement("""
                    INSERT INTO memories (namespace, key, value, version, run_id, trace_id, source, surface, written_by,
                                          updated_at, expires_at, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)
                    """)
                try insert.bind([.text(write.namespace), .text(write.key)] + common)
                try insert.execute()
            } else {
                let update = try connection.cachedStatement("""
                    UPDATE memories SET value = $3, version = $4, run_id = $5, trace_id = $6, source = $7, surface = $8,
                        written_by = $9, updated_at = $10, expires_at = $11,
                        created_at = CASE WHEN $12 THEN created_at ELSE $10 END
                    WHERE namespace = $1 AND key = $2
                    """)
                try update.bind([.text(write.namespace), .text(write.key)] + common + [.bool(isLive)])
                try update.execute()
            }
            let history = try connection.cachedStatement("""
                INSERT INTO memory_history (namespace, key, value, version, run_id, trace_id, source, surface, written_by,
                                            written_at, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """)
            try history.bind([.text(write.namespace), .text(write.key)] + common)
            try history.execute()
            if !write.redactions.isEmpty {
                let record = try connection.cachedStatement("INSERT INTO redactions VALUES ('memories', $1, $2, $3, $4, $5)")
                let rowKey = reference(namespace: write.namespace, key: write.key) + "@\(version)"
                for redaction in write.redactions {
                    try record.bind([.text(rowKey), .text(redaction.path), .text(redaction.rule),
                                     .text(redaction.kind.rawValue), .timestamp(now)])
                    try record.execute()
                }
            }
            return .written(version: version)
        }
    }

    /// The current live version of a fact, or nil.
    public static func get(namespace: String, key: String, on connection: Connection, now: Int64 = nowMicros()) throws -> Fact? {
        let statement = try connection.cachedStatement("""
            SELECT namespace, key, value, version, run_id, trace_id, source, surface, written_by,
                   epoch_us(updated_at), epoch_us(expires_at)
            FROM memories WHERE namespace = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)
            """)
        try statement.bind([.text(namespace), .text(key), .timestamp(now)])
        return try statement.query().rows.first.map(fact)
    }

    /// Every stored version of a live fact, newest first (empty when the fact is absent or expired).
    public static func history(namespace: String, key: String, on connection: Connection, now: Int64 = nowMicros()) throws -> [Fact] {
        let statement = try connection.prepare("""
            SELECT h.namespace, h.key, h.value, h.version, h.run_id, h.trace_id, h.source, h.surface, h.written_by,
                   epoch_us(h.written_at), epoch_us(h.expires_at)
            FROM memory_history h JOIN memories m USING (namespace, key)
            WHERE h.namespace = $1 AND h.key = $2 AND (m.expires_at IS NULL OR m.expires_at > $3)
            ORDER BY h.version DESC
            """)
        try statement.bind([.text(namespace), .text(key), .timestamp(now)])
        return try statement.query().rows.map(fact)
    }

    /// Deletes the facts selected by any combination of namespace, key and run (at least one),
    /// with all their versions and search documents. A run selects facts any version of which
    /// that run wrote.
    public static func forget(namespace: String?, key: String?, runID: String?, on connection: Connection) throws -> ForgetCounts {
        precondition(namespace != nil || key != nil || runID != nil, "forget needs a selector")
        return try connection.transaction {
            let selector = """
                SELECT DISTINCT namespace, key FROM memory_history
                WHERE ($1 IS NULL OR namespace = $1) AND ($2 IS NULL OR key = $2)
                  AND ($3 IS NULL OR (namespace, key) IN (SELECT namespace, key FROM memory_history WHERE run_id = $3))
                UNION
                SELECT namespace, key FROM memories
                WHERE ($1 IS NULL OR namespace = $1) AND ($2 IS NULL OR key = $2) AND ($3 IS NULL OR run_id = $3)
                """
            let parameters: [Value] = [optional(namespace), optional(key), optional(runID)]
            try connection.execute("CREATE OR REPLACE TEMP TABLE forget_keys (namespace VARCHAR, key VARCHAR)")
            defer { try? connection.execute("DROP TABLE IF EXISTS forget_keys") }
            let collect = try connection.prepare("INSERT INTO forget_keys \(selector)")
            try collect.bind(parameters)
            try collect.execute()
            let facts = try connection.prepare(
                "DELETE FROM memories WHERE (namespace, key) IN (SELECT namespace, key FROM forget_keys)").execute()
            let versions = try connection.prepare(
                "DELETE FROM memory_history WHERE (namespace, key) IN (SELECT namespace, key FROM forget_keys)").execute()
            let documents = try SearchIndex.removeDocuments(
                kind: .fact, refsQuery: "SELECT \(SearchIndex.factRef) FROM forget_keys", on: connection)
            return ForgetCounts(facts: facts, versions: versions, searchDocuments: documents)
        }
    }

    /// Deletes expired facts with their history and search documents; returns how many facts.
    public static func purgeExpired(on connection: Connection, now: Int64 = nowMicros()) throws -> Int {
        try connection.transaction {
            try connection.execute("CREATE OR REPLACE TEMP TABLE forget_keys (namespace VARCHAR, key VARCHAR)")
            defer { try? connection.execute("DROP TABLE IF EXISTS forget_keys") }
            let collect = try connection.prepare(
                "INSERT INTO forget_keys SELECT namespace, key FROM memories WHERE expires_at <= $1")
            try collect.bind([.timestamp(now)])
            let count = try collect.execute()
            guard count > 0 else { return 0 }
            try connection.execute("DELETE FROM memories WHERE (namespace, key) IN (SELECT namespace, key FROM forget_keys)")
            try connection.execute("DELETE FROM memory_history WHERE (namespace, key) IN (SELECT namespace, key FROM forget_keys)")
            _ = try SearchIndex.removeDocuments(
                kind: .fact, refsQuery: "SELECT \(SearchIndex.factRef) FROM forget_keys", on: connection)
            return count
        }
    }

    /// A fact's reference as `search_documents` and `redactions` write it: `["namespace","key"]`.
    public static func reference(namespace: String, key: String) -> String {
        var writer = JSONWriter(capacity: namespace.utf8.count + key.utf8.count + 8)
        writer.byte(UInt8(ascii: "["))
        writer.string(namespace)
        writer.byte(UInt8(ascii: ","))
        writer.string(key)
        writer.byte(UInt8(ascii: "]"))
        return writer.string
    }

    public static func nowMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }

    private static func isLive(expiresAt: Value, now: Int64) -> Bool {
        guard case .timestamp(let micros) = expiresAt else { return true }
        return micros > now
    }

    private static func optional(_ text: String?) -> Value { text.map(Value.text) ?? .null }

    private static func fact(_ row: [Value]) -> Fact {
        Fact(namespace: row[0].string ?? "", key: row[1].string ?? "", value: row[2].string ?? "null",
             version: row[3].int64 ?? 0, runID: row[4].string, traceID: row[5].string, source: row[6].string,
             surface: row[7].string ?? "", writtenBy: row[8].string, writtenAt: row[9].int64 ?? 0,
             expiresAt: row[10].int64)
    }
}
