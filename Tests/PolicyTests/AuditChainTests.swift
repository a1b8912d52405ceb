import DuckDB
import Foundation
import MemoryStore
import Testing
import TestSupport

/// The audit chain catches every kind of tampering done with the stock DuckDB engine: a row
/// edited (with or without its hash recomputed), deleted (inside or at the end), inserted, or
/// two rows reordered; pruning behind a checkpoint keeps it verifiable.
@Suite("audit chain")
struct AuditChainTests {
    static let rows = 30

    /// A store with `rows` audit rows appended concurrently, closed again.
    static func makeLog(at db: String, rows: Int = rows, time: Int64 = AuditDigest.nowMicros()) async throws {
        let store = try Store(path: db)
        let log = try AuditLog(store: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<rows {
                group.addTask {
                    try await log.append(AuditEntry(time: time, actor: i % 2 == 0 ? "local" : "planner", surface: "rest",
                                                    operation: "memory_get", target: "prefs/k\(i)",
                                                    argumentsDigest: AuditDigest.sha256Hex("args \(i)"), outcome: "ok",
                                                    rowCounts: ["facts": 1]))
                }
            }
            try await group.waitForAll()
        }
    }

    static func verify(_ db: String) throws -> AuditVerification {
        try AuditLog.verify(store: Store(readingExisting: db))
    }

    @Test func concurrentAppendsFormOneIntactChain() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("audit.duckdb").path
            try await Self.makeLog(at: db)
            let result = try Self.verify(db)
            #expect(result.intact, "\(result)")
            #expect(result.rows == Self.rows)
            #expect(result.headSeq == Int64(Self.rows))
            let seqs = try await Tools.stockQuery(db, "select seq from audit_log order by seq")
            #expect(seqs == (1...Self.rows).map(String.init))
            // A reopened log continues the chain where it ended.
            try await Self.makeLog(at: db, rows: 3)
            let again = try Self.verify(db)
            #expect(again.intact && again.rows == Self.rows + 3, "\(again)")
        }
    }

    /// Each tampering, done by the stock engine on a copy of a good log, and the seq
    /// verification must name first.
    static let tamperings: [(name: String, sql: [String], firstBad: Int64)] = [
        ("edit a column", ["update audit_log set actor = 'mallory' where seq = 12"], 12),
        ("edit a column and put a made-up hash",
         ["update audit_log set outcome = 'failed', hash = sha256(hash) where seq = 7"], 7),
        ("delete a row inside", ["delete from audit_log where seq = 15"], 15),
        ("delete the last rows", ["delete from audit_log where seq >= 29"], 29),
        ("delete the first row", ["delete from audit_log where seq = 1"], 1),
        ("insert a copy of a row", ["insert into audit_log select * from audit_log where seq = 20"], 20),
        ("insert a row at the end",
         ["insert into audit_log select * replace (seq + 1 as seq, hash as prev_hash) from audit_log where seq = 30"], 31),
        ("swap two rows' places",
         ["update audit_log set seq = case seq when 5 then 6 when 6 then 5 end where seq in (5, 6)"], 5),
        ("truncate everything", ["delete from audit_log"], 1),
    ]

    @Test(arguments: 0..<tamperings.count)
    func tamperingIsCaught(_ index: Int) async throws {
        let tampering = Self.tamperings[index]
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("audit.duckdb").path
            try await Self.makeLog(at: db)
            try await Tools.stockDuckDB(db, tampering.sql)
            let result = try Self.verify(db)
            #expect(!result.intact, "\(tampering.name): not caught")
            #expect(result.firstBadSeq == tampering.firstBad, "\(tampering.name): \(result)")
        }
    }

    /// An attacker who knows the encoding recomputes the edited row's hash: the next row's
    /// `prev_hash` still names the original.
    @Test func editWithRecomputedHashIsCaughtAtTheNextRow() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("audit.duckdb").path
            try await Self.makeLog(at: db)
            let fields = try await Tools.stockQuery(db, """
                select json_array(epoch_us(time), actor, surface, operation, target, args_sha256, row_counts, prev_hash)::varchar
                from audit_log where seq = 7
                """)
            let row = try #require(try JSONSerialization.jsonObject(with: Data(fields[0].utf8)) as? [Any])
            let forged = AuditRecord(seq: 7, time: (row[0] as? NSNumber)?.int64Value ?? 0, actor: row[1] as? String ?? "",
                                     surface: row[2] as? String ?? "", operation: row[3] as? String ?? "",
                                     target: row[4] as? String, argumentsDigest: row[5] as? String ?? "", outcome: "failed",
                                     rowCounts: row[6] as? String, prevHash: row[7] as? String ?? "", hash: "")
            try await Tools.stockDuckDB(db, ["update audit_log set outcome = 'failed', hash = '\(forged.computedHash)' where seq = 7"])
            let result = try Self.verify(db)
            #expect(result.firstBadSeq == 8, "\(result)")
        }
    }

    @Test func verifyCommandExitsNonZeroNamingTheSeq() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("audit.duckdb").path
            try await Self.makeLog(at: db)
            let good = try await Tools.memoryd(["audit", "verify", "--db", db])
            #expect(good.status == 0, "\(good.stderr)")
            #expect(good.stdout.contains("intact"))
            try await Tools.stockDuckDB(db, ["update audit_log set target = 'prefs/other' where seq = 9"])
            let bad = try await Tools.memoryd(["audit", "verify", "--db", db])
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("seq 9"), "\(bad.stderr)")
            let json = try await Tools.memoryd(["audit", "verify", "--db", db, "--json"])
            #expect(json.stdout.contains("\"first_bad_seq\":9"), "\(json.stdout)")
        }
    }

    @Test func pruningKeepsTheChainVerifiable() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("audit.duckdb").path
            let now = AuditDigest.nowMicros()
            let day: Int64 = 86_400_000_000
            // Rows 1…20 (in append order) are 100 days old, the rest fresh.
            try await Self.makeLog(at: db, rows: 20, time: now - 100 * day)
            try await Self.makeLog(at: db, rows: 10)
            do {
                let store = try Store(path: db)
                let pruned = try await AuditLog(store: store).prune(before: now - 90 * day)
                #expect(pruned.rows == 20)
                #expect(pruned.checkpointSeq == 20)
            }
            let result = try Self.verify(db)
            #expect(result.intact, "\(result)")
            #expect(result.checkpointSeq == 20 && result.rows == 10)
            // A new row after pruning chains on, and tampering after the checkpoint is still caught.
            try await Self.makeLog(at: db, rows: 1)
            #expect(try Self.verify(db).intact)
            try await Tools.stockDuckDB(db, ["delete from audit_log where seq = 21"])
            #expect(try Self.verify(db).firstBadSeq == 21)
        }
    }

    @Test func rowsHoldDigestsNotArguments() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("audit.duckdb").path
            try await Self.makeLog(at: db, rows: 1)
            let digests = try await Tools.stockQuery(db, "select args_sha256 from audit_log")
            #expect(digests == [AuditDigest.sha256Hex("args 0")])
            #expect(AuditDigest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }
}
