import DuckDB

/// Runs under legal hold: retention keeps every row that carries their `run_id`, whatever
/// its age, until the hold is released.
public enum LegalHolds {
    public struct Hold: Sendable, Equatable {
        public var runID: String
        public var reason: String?
        public var heldBy: String
        /// Microseconds since the Unix epoch.
        public var heldAt: Int64
    }

    /// Places a hold (again: updates its reason). Returns false when the run was held already.
    @discardableResult
    public static func hold(runID: String, reason: String?, by actor: String, on connection: Connection) throws -> Bool {
        let existed = try isHeld(runID: runID, on: connection)
        let statement = try connection.prepare("""
            INSERT INTO legal_holds VALUES ($1, $2, $3, now())
            ON CONFLICT (run_id) DO UPDATE SET reason = excluded.reason
            """)
        try statement.bind([.text(runID), reason.map(Value.text) ?? .null, .text(actor)])
        _ = try statement.execute()
        return !existed
    }

    /// Releases a hold; false when there was none.
    @discardableResult
    public static func release(runID: String, on connection: Connection) throws -> Bool {
        let statement = try connection.prepare("DELETE FROM legal_holds WHERE run_id = $1")
        try statement.bind([.text(runID)])
        return try statement.execute() > 0
    }

    public static func isHeld(runID: String, on connection: Connection) throws -> Bool {
        let statement = try connection.prepare("SELECT count(*) FROM legal_holds WHERE run_id = $1")
        try statement.bind([.text(runID)])
        return (try statement.query().rows[0][0].int64 ?? 0) > 0
    }

    public static func list(on connection: Connection) throws -> [Hold] {
        try connection.query("SELECT run_id, reason, held_by, epoch_us(held_at) FROM legal_holds ORDER BY held_at, run_id")
            .rows.map { Hold(runID: $0[0].string ?? "", reason: $0[1].string, heldBy: $0[2].string ?? "", heldAt: $0[3].int64 ?? 0) }
    }
}
