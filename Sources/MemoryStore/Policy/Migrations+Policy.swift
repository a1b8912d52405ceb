extension Migrations {
    /// The policy tables (issue 6): the tamper-evident `audit_log` with its pruning checkpoints
    /// and live head, and `legal_holds` (runs retention keeps whole).
    ///
    /// `audit_log.hash` is SHA-256 over `AuditRecord.canonicalEncoding` (which includes
    /// `prev_hash`), so every row commits to all rows before it. `audit_checkpoints` keeps the
    /// (seq, hash) of the last row each pruning removed, so the chain still verifies from there;
    /// `audit_head` is the newest (seq, hash), written in the same transaction as the rows, so
    /// deleting rows from the end is seen too.
    static let policyTables = Migration(version: 8, name: "audit log, retention holds", sql: """
        CREATE TABLE audit_log (
            seq BIGINT NOT NULL,
            time TIMESTAMPTZ NOT NULL,
            actor VARCHAR NOT NULL,
            surface VARCHAR NOT NULL,
            operation VARCHAR NOT NULL,
            target VARCHAR,
            args_sha256 VARCHAR NOT NULL,
            outcome VARCHAR NOT NULL,
            row_counts VARCHAR,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        );
        CREATE TABLE audit_checkpoints (
            seq BIGINT NOT NULL,
            hash VARCHAR NOT NULL,
            pruned_rows BIGINT NOT NULL,
            pruned_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE audit_head (
            seq BIGINT NOT NULL,
            hash VARCHAR NOT NULL
        );
        CREATE TABLE legal_holds (
            run_id VARCHAR PRIMARY KEY,
            reason VARCHAR,
            held_by VARCHAR NOT NULL,
            held_at TIMESTAMPTZ NOT NULL
        );
        """)
}
