import DuckDB

extension AuditLog {
    /// Rows read per page while walking the chain.
    static let verifyPage = 10_000

    /// Walks `audit_log` in seq order from the newest pruning checkpoint (or the genesis) and
    /// checks that seqs follow each other without gap or repeat, that each row's `prev_hash` is
    /// the previous row's hash, that each row's `hash` is the SHA-256 of its content, and that
    /// the last row is the recorded head. Catches rows edited, deleted (inside or at the end),
    /// inserted and reordered. Read-only; runs in one transaction, so it sees one snapshot.
    ///
    /// For the ops gate and alert rules: `try AuditLog.verify(on: connection).intact`.
    public static func verify(on connection: Connection) throws -> AuditVerification {
        try connection.execute("BEGIN TRANSACTION")
        defer { try? connection.execute("ROLLBACK") }
        let checkpoint = try connection.query("SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").rows.first
        let startSeq = checkpoint?[0].int64 ?? 0
        var result = AuditVerification(rows: 0, checkpointSeq: startSeq, headSeq: startSeq,
                                       headHash: checkpoint?[1].string ?? AuditRecord.genesisHash)
        func broken(_ seq: Int64, _ problem: String) -> AuditVerification {
            result.firstBadSeq = seq
            result.problem = problem
            return result
        }

        let page = try connection.prepare("""
            SELECT seq, epoch_us(time), actor, surface, operation, target, args_sha256, outcome, row_counts,
                   prev_hash, hash, rowid
            FROM audit_log WHERE seq > $1 OR (seq = $1 AND rowid > $2)
            ORDER BY seq, rowid LIMIT \(verifyPage)
            """)
        // Rows at or before the checkpoint should have been pruned with it.
        let early = try connection.prepare("SELECT min(seq) FROM audit_log WHERE seq <= $1")
        try early.bind([.int(startSeq)])
        if let seq = try early.query().rows.first?[0].int64 {
            return broken(seq, "row at or before the pruning checkpoint (seq \(startSeq)) is still present or was inserted")
        }

        var expected = startSeq + 1
        var cursor: (seq: Int64, rowid: Int64) = (startSeq, Int64.max)
        while true {
            try page.bind([.int(cursor.seq), .int(cursor.rowid)])
            let rows = try page.query().rows
            for row in rows {
                guard let seq = row[0].int64, let time = row[1].int64, let actor = row[2].string, let surface = row[3].string,
                      let operation = row[4].string, let digest = row[6].string, let outcome = row[7].string,
                      let prevHash = row[9].string, let hash = row[10].string else {
                    return broken(row[0].int64 ?? expected, "a required column is NULL")
                }
                if seq < expected { return broken(seq, "seq \(seq) appears again or out of order") }
                if seq > expected {
                    return broken(expected, "seq \(expected)\(seq - 1 > expected ? "…\(seq - 1)" : "") missing (next row is seq \(seq))")
                }
                let record = AuditRecord(seq: seq, time: time, actor: actor, surface: surface, operation: operation,
                                         target: row[5].string, argumentsDigest: digest, outcome: outcome,
                                         rowCounts: row[8].string, prevHash: prevHash, hash: hash)
                if prevHash != result.headHash { return broken(seq, "prev_hash does not match the hash of the row before") }
                if record.computedHash != hash { return broken(seq, "content does not match its hash (row edited)") }
                result.rows += 1
                result.headSeq = seq
                result.headHash = hash
                expected += 1
                cursor = (seq, row[11].int64 ?? 0)
            }
            if rows.count < verifyPage { break }
        }

        if let head = try connection.query("SELECT seq, hash FROM audit_head ORDER BY seq DESC LIMIT 1").rows.first,
           let seq = head[0].int64, let hash = head[1].string {
            if seq > result.headSeq {
                return broken(result.headSeq + 1, "rows up to the recorded head seq \(seq) are missing")
            }
            if seq < result.headSeq { return broken(seq + 1, "rows after the recorded head seq \(seq) were added") }
            if hash != result.headHash { return broken(seq, "the last row's hash differs from the recorded head") }
        } else if result.headSeq > 0 {
            return broken(result.headSeq, "the recorded head is missing")
        }
        return result
    }

    /// `verify` on a connection of its own.
    public static func verify(store: Store) throws -> AuditVerification {
        try verify(on: store.connect())
    }
}
