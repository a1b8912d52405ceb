import DuckDB
import Foundation

/// What `memoryd health` and the health endpoints report about the store.
public struct StoreHealth: Sendable {
    public struct Source: Sendable {
        public let name: String
        /// Committed OTLP batches; nil for a file source.
        public let batches: Int64?
        /// How far a file source is ingested; nil for an OTLP source.
        public let byteOffset: Int64?
        public let rows: Int64
        public let rejected: Int64
        public let updatedAt: String
        /// How long ago the source last committed: its ingest lag once it stops sending.
        public let secondsSinceUpdate: Double
    }

    public static let tables = [
        "spans", "pending_spans", "logs", "metric_points", "events", "ingest_rejects", "ingest_checkpoints",
        "memories", "memory_history", "search_documents",
    ]

    public let duckdbVersion = Database.libraryVersion
    public let schemaVersion: Int
    public let rowCounts: [(String, Int64)]
    public let fileBytes: Int64
    public let sources: [Source]

    public init(store: Store) throws {
        let connection = try store.connect()
        schemaVersion = try store.schemaVersion()
        rowCounts = try Self.tables.map { table in
            (table, try connection.query("SELECT count(*) FROM \(table)").rows[0][0].int64 ?? 0)
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: store.path)
        let wal = try? FileManager.default.attributesOfItem(atPath: store.path + ".wal")
        fileBytes = ((attributes?[.size] as? NSNumber)?.int64Value ?? 0) + ((wal?[.size] as? NSNumber)?.int64Value ?? 0)
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        sources = try connection.query("""
            SELECT source, position, rows_total, rejected_total, updated_at, file_identity IS NOT NULL
            FROM ingest_checkpoints ORDER BY source
            """).rows.map {
            // `position` counts batches for OTLP sources and bytes for files (which have an identity).
            let isFile = $0[5] == .bool(true)
            return Source(name: $0[0].string ?? "", batches: isFile ? nil : $0[1].int64 ?? 0,
                          byteOffset: isFile ? $0[1].int64 ?? 0 : nil, rows: $0[2].int64 ?? 0,
                          rejected: $0[3].int64 ?? 0, updatedAt: $0[4].description,
                          secondsSinceUpdate: $0[4].int64.map { Double(now - $0) / 1e6 } ?? 0)
        }
    }

    public func dictionary(memorydVersion: String) -> [String: Any] {
        [
            "memoryd_version": memorydVersion,
            "duckdb_version": duckdbVersion,
            "schema_version": schemaVersion,
            "db_bytes": fileBytes,
            "row_counts": Dictionary(uniqueKeysWithValues: rowCounts.map { ($0.0, $0.1) }),
            "sources": sources.map {
                var source: [String: Any] = ["source": $0.name, "rows": $0.rows, "rejected": $0.rejected, "updated_at": $0.updatedAt]
                if let batches = $0.batches { source["batches"] = batches }
                if let byteOffset = $0.byteOffset { source["byte_offset"] = byteOffset }
                return source
            },
        ]
    }
}
