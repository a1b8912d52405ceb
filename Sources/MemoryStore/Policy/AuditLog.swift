import DuckDB
import Dispatch
import Synchronization

/// The tamper-evident audit log: appends `audit_log` rows, each hashed over its content and the
/// previous row's hash (see `AuditRecord.canonicalEncoding`).
///
/// Appends are group-committed on a connection and thread of the log's own: callers waiting at
/// the same time share one transaction, so auditing neither serializes ingest (another
/// connection) nor costs a commit per call under load. `append` returns once the row is
/// committed, so a caller that answers after it never acknowledges an unaudited call: after a
/// `kill -9` every answered call has its row, and a call cut off before its row committed was
/// never answered (a write it made may have committed without its audit row; its own history
/// row — fact versions keep who, when and surface — still records it).
///
/// One `AuditLog` per database file: it keeps the chain's head in memory. Pruning goes through
/// it too (`prune(before:)`), so the head and the checkpoints stay consistent.
public final class AuditLog: Sendable {
    private struct Waiter {
        let entry: AuditEntry
        let continuation: CheckedContinuation<AuditRecord, any Error>
    }

    private struct Queue {
        var waiting: [Waiter] = []
        var draining = false
    }

    /// The chain's newest row; only touched on `queue`.
    private final class Head: @unchecked Sendable {
        var seq: Int64
        var hash: String
        init(seq: Int64, hash: String) {
            self.seq = seq
            self.hash = hash
        }
    }

    /// Most rows per transaction.
    static let maxBatch = 1_000

    private let waiting = Mutex(Queue())
    private let head: Head
    private let connection: UncheckedConnection
    private let queue = DispatchQueue(label: "memoryd.audit")

    private struct UncheckedConnection: @unchecked Sendable { let connection: Connection }

    /// Opens the log's own connection and reads the chain's head.
    public init(store: Store) throws {
        let connection = try store.connect()
        self.connection = UncheckedConnection(connection: connection)
        let (seq, hash) = try Self.readHead(on: connection)
        head = Head(seq: seq, hash: hash)
    }

    /// The newest (seq, hash): `audit_head`, else the newest row, else the newest pruning
    /// checkpoint, else the genesis (0, zeros).
    static func readHead(on connection: Connection) throws -> (Int64, String) {
        for sql in ["SELECT seq, hash FROM audit_head ORDER BY seq DESC LIMIT 1",
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    "SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"] {
            if let row = try connection.query(sql).rows.first, let seq = row[0].int64, let hash = row[1].string {
                return (seq, hash)
            }
        }
        return (0, AuditRecord.genesisHash)
    }

    /// Appends `entry` and returns its row once committed (group commit with concurrent callers).
    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> AuditRecord {
        try await withCheckedThrowingContinuation { continuation in
            let start = waiting.withLock { q in
                q.waiting.append(Waiter(entry: entry, continuation: continuation))
                defer { q.draining = true }
                return !q.draining
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Appends `entry` and waits for the commit on the calling thread (for CLI commands).
    @discardableResult
    public func appendNow(_ entry: AuditEntry) throws -> AuditRecord {
        try queue.sync { try write([entry])[0] }
    }

    /// Commits what is waiting, batch after batch, until nothing is.
    private func drain() {
        while true {
            let batch: [Waiter] = waiting.withLock { q in
                let batch = Array(q.waiting.prefix(Self.maxBatch))
                q.waiting.removeFirst(batch.count)
                if batch.isEmpty { q.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let records = try write(batch.map(\.entry))
                for (waiter, record) in zip(batch, records) { waiter.continuation.resume(returning: record) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
    }

    /// Chains and inserts `entries` with the head in one transaction; the in-memory head moves
    /// only once it committed. Runs on `queue`.
    private func write(_ entries: [AuditEntry]) throws -> [AuditRecord] {
        var seq = head.seq
        var previous = head.hash
        let records = entries.map { entry in
            seq += 1
            let record = AuditRecord(seq: seq, entry: entry, prevHash: previous)
            previous = record.hash
            return record
        }
        let connection = connection.connection
        try connection.transaction {
            let insert = try connection.cachedStatement(
                "INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            for r in records {
                try insert.bind([.int(r.seq), .timestamp(r.time), .text(r.actor), .text(r.surface), .text(r.operation),
                                 r.target.map(Value.text) ?? .null, .text(r.argumentsDigest), .text(r.outcome),
                                 r.rowCounts.map(Value.text) ?? .null, .text(r.prevHash), .text(r.hash)])
                _ = try insert.execute()
            }
            try setHead(seq: seq, hash: previous, on: connection)
        }
        head.seq = seq
        head.hash = previous
        return records
    }

    private func setHead(seq: Int64, hash: String, on connection: Connection) throws {
        try connection.execute("DELETE FROM audit_head")
        let statement = try connection.cachedStatement("INSERT INTO audit_head VALUES ($1, $2)")
        try statement.bind([.int(seq), .text(hash)])
        _ = try statement.execute()
    }

    /// What one pruning removed.
    public struct Pruned: Sendable, Equatable {
        /// Rows deleted (0: nothing was old enough).
        public var rows: Int
        /// The checkpoint written: the last deleted row's seq and hash, where verification now starts.
        public var checkpointSeq: Int64?
    }

    /// Deletes the rows older than `cutoff` (microseconds since the epoch) and records the
    /// last deleted row's (seq, hash) in `audit_checkpoints` in the same transaction, so
    /// `verify` starts from there. With `dryRun`, only counts.
    public func prune(before cutoff: Int64, dryRun: Bool = false) async throws -> Pruned {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.pruneNow(before: cutoff, dryRun: dryRun) })
            }
        }
    }

    /// `prune` on the calling thread (for CLI commands).
    public func pruneSync(before cutoff: Int64, dryRun: Bool = false) throws -> Pruned {
        try queue.sync { try pruneNow(before: cutoff, dryRun: dryRun) }
    }

    private func pruneNow(before cutoff: Int64, dryRun: Bool) throws -> Pruned {
        let connection = connection.connection
        return try connection.transaction {
            // Rows are pruned from the start of the chain only, so a row older than the cutoff
            // that sits after a newer one (a clock step back) waits for its turn.
            let last = try connection.prepare("""
                SELECT seq, hash, rows FROM (
                    SELECT seq, hash, count(*) OVER (ORDER BY seq) AS rows,
                           bool_and(time < $1) OVER (ORDER BY seq) AS all_old
                    FROM audit_log)
                WHERE all_old ORDER BY seq DESC LIMIT 1
                """)
            try last.bind([.timestamp(cutoff)])
            guard let row = try last.query().rows.first, let seq = row[0].int64, let hash = row[1].string,
                  let rows = row[2].int64 else {
                return Pruned(rows: 0, checkpointSeq: nil)
            }
            if dryRun { return Pruned(rows: Int(rows), checkpointSeq: seq) }
            let delete = try connection.prepare("DELETE FROM audit_log WHERE seq <= $1")
            try delete.bind([.int(seq)])
            let deleted = try delete.execute()
            let checkpoint = try connection.prepare("INSERT INTO audit_checkpoints VALUES ($1, $2, $3, now())")
            try checkpoint.bind([.int(seq), .text(hash), .int(Int64(deleted))])
            _ = try checkpoint.execute()
            return Pruned(rows: deleted, checkpointSeq: seq)
        }
    }
}
