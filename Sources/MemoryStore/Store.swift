import DuckDB
import Foundation

/// The memoryd database: one DuckDB file, migrated on open. The ingest writer owns one
/// connection; readers open their own.
public final class Store: Sendable {
    public let path: String
    public let database: Database

    /// The WAL size beyond which a commit folds the WAL into the database file, for the
    /// daemon's OTLP ingest (`memoryd serve` passes it as `checkpointThreshold`).
    /// DuckDB checkpoints on the committing (ingest) thread, and each checkpoint rewrites the
    /// table's last, partly filled row group in full: at DuckDB's 16 MiB default that
    /// happened every few ingest commits; 256 MiB is about one row group of spans (+40 %
    /// ingest throughput on 600k spans). A crash replays at most this much WAL on the next open.
    public static let ingestCheckpointThreshold = "256MiB"

    /// Opens (creating if needed) the store at `path` and applies pending migrations.
    /// `memoryLimit` caps DuckDB's memory (its syntax: `4GB`, `512MiB`); nil keeps DuckDB's
    /// default, 80 % of RAM. `checkpointThreshold` (same syntax) sets DuckDB's
    /// `checkpoint_threshold`; nil keeps its default, 16 MiB.
    public init(path: String, migrations: [Migration] = Migrations.all, threads: Int? = nil, memoryLimit: String? = nil,
                checkpointThreshold: String? = nil) throws {
        if path != ":memory:" {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        self.path = path
        var options: [(String, String)] = []
        if let threads { options.append(("threads", String(threads))) }
        if let memoryLimit { options.append(("memory_limit", memoryLimit)) }
        if let checkpointThreshold { options.append(("checkpoint_threshold", checkpointThreshold)) }
        database = try Database(path: path, options: options)
        try Self.migrate(database.connect(), migrations: migrations)
    }

    /// Opens an existing store without writing to it (no migrations); fails while another
    /// process holds the file open for writing.
    public init(readingExisting path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.missing(path)
        }
        self.path = path
        database = try Database(path: path, options: [("access_mode", "READ_ONLY")])
    }

    /// A new connection; the caller owns it and uses it from one task at a time.
    public func connect() throws -> Connection { try database.connect() }

    /// The highest applied migration.
    public func schemaVersion() throws -> Int {
        try Int(database.connect().query("SELECT coalesce(max(version), 0) FROM schema_migrations").rows[0][0].int64 ?? 0)
    }

    static func migrate(_ connection: Connection, migrations: [Migration]) throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)
            """)
        let current = Int(try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations").rows[0][0].int64 ?? 0)
        if let newest = migrations.last?.version, current > newest {
            throw StoreError.schemaTooNew(found: current, supported: newest)
        }
        for migration in migrations where migration.version > current {
            try connection.transaction {
                try connection.execute(migration.sql)
                let record = try connection.prepare(
                    "INSERT INTO schema_migrations VALUES ($1, $2, now())")
                try record.bind([.int(Int64(migration.version)), .text(migration.name)])
                try record.execute()
            }
        }
    }
}
