import Contracts
import DuckDB
import Foundation
import MemoryStore

extension MemoryService {
    /// `memory_health`: what an operator checks first.
    func health() async throws -> JSONValue {
        let store = self.store
        let health = try await readers.run { _ in try StoreHealth(store: store) }
        var out = JSONObject()
        out["status"] = "ok"
        out["memoryd_version"] = .string(Self.version)
        out["duckdb_version"] = .string(health.duckdbVersion)
        out["schema_version"] = .integer(Int64(health.schemaVersion))
        out["uptime_s"] = .number((Date().timeIntervalSince(startedAt) * 1000).rounded() / 1000)
        out["db_bytes"] = .integer(health.fileBytes)
        out["row_counts"] = .object(JSONObject(health.rowCounts.map { ($0.0, JSONValue.integer($0.1)) }))
        if let ingest = ingestStatus() {
            out["ingest"] = [
                "queued_batches": .integer(Int64(ingest.queuedBatches)),
                "queued_rows": .integer(Int64(ingest.queuedRows)),
                "committed_batches": .integer(Int64(ingest.committedBatches)),
                "lag_s": .number(ingest.oldestQueuedAge),
            ]
        }
        out["sources"] = .array(health.sources.map { source in
            var o = JSONObject()
            o["source"] = .string(source.name)
            o["rows"] = .integer(source.rows)
            o["rejected"] = .integer(source.rejected)
            o["updated_at"] = .string(source.updatedAt)
            o["lag_s"] = .number(source.secondsSinceUpdate)
            if let batches = source.batches { o["batches"] = .integer(batches) }
            if let offset = source.byteOffset { o["byte_offset"] = .integer(offset) }
            return .object(o)
        })
        out["alerts"] = try await alertsHealth()
        return .object(out)
    }

    /// `memory_schema`: the tables and views a query can read, from DuckDB's catalog, with
    /// the meaning of each from `SchemaGuide`.
    func schema(_ args: Arguments) async throws -> JSONValue {
        let only = args.string("table")
        let rows = try await readers.run { connection in
            try connection.query("""
                SELECT c.table_name, t.table_type, c.column_name, c.data_type
                FROM information_schema.columns c
                JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
                WHERE c.table_schema = 'main'
                ORDER BY c.table_name, c.ordinal_position
                """).rows
        }
        var tables: [(String, String, [JSONValue])] = []
        for row in rows {
            let table = row[0].string ?? "", column = row[2].string ?? ""
            guard SchemaGuide.tables[table] != nil, only == nil || only == table else { continue }
            let entry: JSONValue = ["name": .string(column), "type": .string(row[3].string ?? ""),
                                    "description": .string(SchemaGuide.columns["\(table).\(column)"] ?? SchemaGuide.columns[column] ?? "")]
            if tables.last?.0 == table {
                tables[tables.count - 1].2.append(entry)
            } else {
                tables.append((table, row[1].string == "VIEW" ? "view" : "table", [entry]))
            }
        }
        if let only, tables.isEmpty { throw MemoryServiceError.notFound("no table or view \(only)") }
        return ["tables": .array(tables.map { table in
            ["name": .string(table.0), "kind": .string(table.1),
             "description": .string(SchemaGuide.tables[table.0] ?? ""), "columns": .array(table.2)]
        })]
    }
}
