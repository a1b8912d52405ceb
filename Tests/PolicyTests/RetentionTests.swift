import DuckDB
import Foundation
import Logging
import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// Retention deletes what is past its age in batches, keeps held runs whole, archives to
/// Parquet by day first (also inside the sandbox the daemon runs in), and the CLI prints it.
@Suite("retention")
struct RetentionTests {
    static let day: Int64 = 86_400_000_000

    /// 100 spans: 50 forty days old (5 of them in the held run), 50 a day old; 3 rejects ten
    /// days old and 2 fresh.
    static func seed(_ connection: Connection) throws {
        try connection.execute("""
            INSERT INTO spans (trace_id, span_id, name, span_kind, start_time, end_time, start_time_unix_nano,
                               end_time_unix_nano, duration_ns, status_code, span_type, level, is_exception, flags,
                               dropped_attributes_count, dropped_events_count, dropped_links_count, received_at, run_id)
            SELECT printf('%032x', i), printf('%016x', i), 'op', 'internal', t, t, 0, 0, 0, 'unset', 'span', 9, false, 0,
                   0, 0, 0, now(), CASE WHEN i % 10 = 0 THEN 'run-held' ELSE 'run-' || i END
            FROM (SELECT i, now() - to_days(CASE WHEN i < 50 THEN 40 ELSE 1 END::INTEGER) AS t FROM range(100) r(i));
            INSERT INTO ingest_rejects
            SELECT 'test', i, 0, 'not_json', 'reason', 'excerpt', now() - to_days(CASE WHEN i < 3 THEN 10 ELSE 0 END::INTEGER)
            FROM range(5) r(i);
            INSERT INTO legal_holds VALUES ('run-held', 'litigation', 'local', now());
            """)
    }

    static func count(_ connection: Connection, _ sql: String) throws -> Int64 {
        try connection.query(sql).rows[0][0].int64 ?? -1
    }

    static func report(_ report: Retention.Report, _ table: String) -> Retention.TableReport? {
        report.tables.first { $0.table == table }
    }

    @Test func dryRunCountsThenApplyDeletesInBatchesKeepingHolds() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            let connection = try store.connect()
            try Self.seed(connection)
            var policy = RetentionPolicy()
            policy.batchRows = 7
            let retention = try Retention(store: store, policy: policy, audit: nil)

            let dry = try await retention.apply(dryRun: true)
            #expect(Self.report(dry, "spans")?.rows == 45)
            #expect(Self.report(dry, "spans")?.held == 5)
            #expect(Self.report(dry, "ingest_rejects")?.rows == 3)
            #expect(try Self.count(connection, "select count(*) from spans") == 100, "a dry run deletes nothing")

            let applied = try await retention.apply(dryRun: false)
            #expect(Self.report(applied, "spans")?.rows == 45)
            #expect(Self.report(applied, "audit_log")?.maxAge == nil)
            #expect(try Self.count(connection, "select count(*) from spans") == 55)
            #expect(try Self.count(connection, "select count(*) from spans where run_id = 'run-held'") == 10)
            #expect(try Self.count(connection, "select count(*) from ingest_rejects") == 2)
            #expect(try await retention.apply(dryRun: false).totalRows == 0, "a second pass finds nothing")

            // Released, the held run's old rows go at the next pass.
            try LegalHolds.release(runID: "run-held", on: connection)
            #expect(Self.report(try await retention.apply(dryRun: false), "spans")?.rows == 5)
        }
    }

    /// DuckDB frees the blocks of deleted row groups at the checkpoint a pass ends with.
    @Test func spaceIsReclaimed() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            let connection = try store.connect()
            try connection.execute("""
                INSERT INTO logs (log_key, time, time_unix_nano, observed_time_unix_nano, severity_number, level, message,
                                  flags, received_at)
                SELECT 'k' || i, now() - INTERVAL 40 DAY, 0, 0, 9, 9, repeat(md5(i::VARCHAR), 8), 0, now()
                FROM range(300000) r(i);
                CHECKPOINT;
                """)
            func used() throws -> Int64 {
                let row = try connection.query("SELECT total_blocks - free_blocks FROM pragma_database_size()").rows[0]
                return row[0].int64 ?? -1
            }
            let before = try used()
            var policy = RetentionPolicy()
            policy.batchRows = 100_000
            let report = try await Retention(store: store, policy: policy, audit: nil).apply(dryRun: false)
            #expect(Self.report(report, "logs")?.rows == 300_000)
            let after = try used()
            #expect(after * 4 < before, "used blocks \(before) → \(after)")
        }
    }

    @Test func auditRowsArePrunedBehindACheckpoint() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            let audit = try AuditLog(store: store)
            let now = AuditDigest.nowMicros()
            for age in [400, 300, 10] as [Int64] {
                try await audit.append(AuditEntry(time: now - age * Self.day, actor: "local", surface: "cli", operation: "x",
                                                  argumentsDigest: AuditDigest.sha256Hex(""), outcome: "ok"))
            }
            var policy = RetentionPolicy()
            policy.maxAge[.auditLog] = .some(365 * 86_400)
            let report = try await Retention(store: store, policy: policy, audit: audit).apply(dryRun: false)
            #expect(Self.report(report, "audit_log")?.rows == 1)
            let result = try AuditLog.verify(on: store.connect())
            #expect(result.intact && result.checkpointSeq == 1 && result.rows == 2, "\(result)")
        }
    }

    @Test func archivesToParquetByDayInsideTheSandbox() async throws {
        try await TemporaryDirectory.with { directory in
            let archive = directory.appendingPathComponent("archive").path
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            try Self.seed(store.connect())
            // As serve does: allow the archive, then lock DuckDB down.
            try store.allowDirectories([archive])
            try store.sandbox(extensionDirectory: nil)
            #expect(throws: (any Error).self, "the sandbox still refuses other places") {
                try store.connect().execute("COPY (SELECT 1) TO '\(directory.appendingPathComponent("elsewhere.parquet").path)'")
            }

            let report = try await Retention(store: store, policy: RetentionPolicy(archiveDirectory: archive), audit: nil)
                .apply(dryRun: false)
            #expect(Self.report(report, "spans")?.rows == 45)
            let days = try FileManager.default.contentsOfDirectory(atPath: archive + "/spans")
            let expectedDay = "day=" + TimestampFormat.date(days: (AuditDigest.nowMicros() - 40 * Self.day) / Self.day)
            #expect(days == [expectedDay], "\(days)")
            let archived = try await Tools.stockQuery(":memory:", """
                select count(*) from read_parquet('\(archive)/spans/*/*.parquet', hive_partitioning = true)
                where run_id <> 'run-held'
                """)
            #expect(archived == ["45"])
            let rejects = try FileManager.default.contentsOfDirectory(atPath: archive + "/ingest_rejects")
            #expect(rejects.count == 1)
        }
    }

    @Test func commandPrintsPerTableAndAuditsTheApply() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("r.duckdb").path
            do {
                let store = try Store(path: db)
                try Self.seed(store.connect())
            }
            let config = directory.appendingPathComponent("policy.toml")
            try "[retention]\nspans = \"2d\"\nevents = \"forever\"\n".write(to: config, atomically: true, encoding: .utf8)
            let dry = try await Tools.memoryd(["retention", "apply", "--dry-run", "--db", db, "--config", config.path])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("spans") && dry.stdout.contains("max age 2d") && dry.stdout.contains("would delete 45 rows (5 kept for legal holds)"),
                    "\(dry.stdout)")
            #expect(dry.stdout.contains("events") && dry.stdout.contains("forever"))

            let applied = try await Tools.memoryd(["retention", "apply", "--db", db, "--config", config.path])
            #expect(applied.stdout.contains("deleted 45 rows"), "\(applied.stdout)")
            let held = try await Tools.memoryd(["retention", "hold", "run-7", "--reason", "audit", "--db", db])
            #expect(held.status == 0)
            let holds = try await Tools.memoryd(["retention", "holds", "--db", db])
            #expect(holds.stdout.contains("run-7") && holds.stdout.contains("run-held"))
            let release = try await Tools.memoryd(["retention", "release", "run-nope", "--db", db])
            #expect(release.status == 2)

            let rows = try await Tools.stockQuery(db, "select operation || '|' || surface || '|' || actor || '|' || outcome from audit_log order by seq")
            #expect(rows == ["retention apply|cli|local|ok", "retention hold|cli|local|ok", "retention release|cli|local|not_found"],
                    "\(rows)")
            let verify = try await Tools.memoryd(["audit", "verify", "--db", db])
            #expect(verify.status == 0)

            try "[retention]\nspans = \"30 days\"\n".write(to: config, atomically: true, encoding: .utf8)
            let bad = try await Tools.memoryd(["retention", "apply", "--db", db, "--config", config.path])
            #expect(bad.status == 2 && bad.stderr.contains("retention.spans"), "\(bad.stderr)")
        }
    }

    /// `run_sequence` goes with its transition's event (same age, same holds), orphans too;
    /// resolved alerts and finished deliveries go by their own age; firing alerts and pending
    /// deliveries stay however old.
    @Test func runSequenceAndFinishedAlertsArePruned() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            let connection = try store.connect()
            try connection.execute("""
                INSERT INTO events (ingest_source, source, id, topic, type, time, run_id, data, unknown_topic, line, byte_offset, received_at)
                SELECT 't', 'w', 'e' || i, 'dome.run.transition', 'x', now() - to_days(CASE WHEN i < 3 THEN 100 ELSE 1 END::INTEGER),
                       CASE WHEN i = 0 THEN 'run-held' ELSE 'run-' || i END, '{}', false, i, 0, now()
                FROM range(5) r(i);
                INSERT INTO run_sequence SELECT run_id, 1, source, id, 'a', 'b' FROM events;
                INSERT INTO run_sequence VALUES ('run-orphan', 1, 'w', 'gone', 'a', 'b');
                INSERT INTO legal_holds VALUES ('run-held', 'case', 'local', now());
                INSERT INTO alerts (alert_id, rule, kind, subject, severity, state, fired_at, resolved_at, summary)
                VALUES ('old-resolved', 'r', 'k', 's', 'warning', 'resolved', now() - to_days(200), now() - to_days(100), 's'),
                       ('new-resolved', 'r', 'k', 's', 'warning', 'resolved', now() - to_days(200), now() - to_days(1), 's'),
                       ('old-firing', 'r', 'k', 's', 'warning', 'firing', now() - to_days(200), NULL, 's');
                INSERT INTO alert_outbox (delivery_id, alert_id, rule, state, url, body, status, attempts, next_attempt_at, created_at, finished_at)
                VALUES (1, 'a', 'r', 'firing', 'u', 'b', 'delivered', 1, now(), now() - to_days(100), now() - to_days(100)),
                       (2, 'a', 'r', 'firing', 'u', 'b', 'dead', 5, now(), now() - to_days(100), now() - to_days(99)),
                       (3, 'a', 'r', 'firing', 'u', 'b', 'delivered', 1, now(), now() - to_days(1), now() - to_days(1)),
                       (4, 'a', 'r', 'firing', 'u', 'b', 'pending', 9, now(), now() - to_days(100), NULL);
                """)
            let retention = try Retention(store: store, policy: RetentionPolicy(), audit: nil)
            let dry = try await retention.apply(dryRun: true)
            #expect(Self.report(dry, "run_sequence")?.rows == 3 && Self.report(dry, "run_sequence")?.held == 1)
            let report = try await retention.apply(dryRun: false)
            #expect(Self.report(report, "run_sequence")?.rows == 3, "two expired transitions and the orphan")
            #expect(Self.report(report, "events")?.rows == 2)
            #expect(Self.report(report, "alerts")?.rows == 1)
            #expect(Self.report(report, "alert_outbox")?.rows == 2)
            let sequence = try connection.query("select event_id from run_sequence order by event_id").rows.map { $0[0].string ?? "" }
            #expect(sequence == ["e0", "e3", "e4"], "the held run's and the fresh transitions stay: \(sequence)")
            let alerts = try connection.query("select alert_id from alerts order by alert_id").rows.map { $0[0].string ?? "" }
            #expect(alerts == ["new-resolved", "old-firing"])
            let deliveries = try connection.query("select delivery_id from alert_outbox order by 1").rows.map { $0[0].int64 ?? 0 }
            #expect(deliveries == [3, 4])
        }
    }

    /// 40 expired spans deleted one per batch with a pause between batches: cancelling the
    /// pass midway throws `Interrupted` carrying exactly the rows already gone.
    @Test func anInterruptedPassReportsWhatItDeleted() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            let connection = try store.connect()
            try Self.seed(connection)
            var policy = RetentionPolicy()
            policy.batchRows = 1
            let retention = try Retention(store: store, policy: policy, audit: nil)
            let pass = Task { try await retention.apply(dryRun: false, pause: .milliseconds(100)) }
            while try Self.count(connection, "select count(*) from spans") > 95 { try await Task.sleep(for: .milliseconds(10)) }
            pass.cancel()
            do {
                let report = try await pass.value
                Issue.record("the pass ended whole: \(report)")
            } catch let interrupted as Retention.Interrupted {
                let gone = 100 - Int(try Self.count(connection, "select count(*) from spans"))
                #expect(gone >= 5 && gone < 45, "\(gone)")
                #expect(Self.report(interrupted.report, "spans")?.rows == gone, "\(interrupted.report)")
                #expect(interrupted.report.totalRows == gone)
                #expect(interrupted.cause is CancellationError, "\(interrupted.cause)")
            }
        }
    }

    /// The daemon's pass cut off by shutdown still audits the rows it deleted (they stay deleted).
    @Test func aPassCutOffByShutdownIsAudited() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try Store(path: directory.appendingPathComponent("r.duckdb").path)
            let connection = try store.connect()
            try Self.seed(connection)
            var policy = RetentionPolicy()
            policy.batchRows = 1
            let audit = try AuditLog(store: store)
            let service = RetentionService(retention: try Retention(store: store, policy: policy, audit: audit),
                                           interval: .seconds(3_600), audit: audit, logger: Logger(label: "policy-tests"))
            let running = Task { try await service.run() }
            while try Self.count(connection, "select count(*) from spans") > 95 { try await Task.sleep(for: .milliseconds(10)) }
            running.cancel()
            try await running.value
            let gone = 100 - Int(try Self.count(connection, "select count(*) from spans"))
            #expect(gone >= 5 && gone < 45, "\(gone)")
            let rows = try connection.query("""
                select outcome || '|' || row_counts from audit_log where operation = 'retention apply' and surface = 'daemon'
                """).rows.map { $0[0].string ?? "" }
            #expect(rows == ["cancelled|{\"spans\":\(gone)}"], "\(rows)")
        }
    }
}
