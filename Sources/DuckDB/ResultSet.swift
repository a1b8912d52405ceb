import CDuckDB

/// A materialized query result: named, typed columns and rows of `Value`s.
public struct ResultSet: Sendable {
    public struct Column: Sendable, Equatable {
        public let name: String
        /// DuckDB's type name (`VARCHAR`, `BIGINT`, `TIMESTAMP WITH TIME ZONE`, `JSON`, …).
        public let type: String
    }

    public let columns: [Column]
    public private(set) var rows: [[Value]]
    /// True when the statement produced more than the requested `maxRows`.
    public private(set) var truncated = false
    /// Rows changed, for INSERT/UPDATE/DELETE.
    public let rowsChanged: Int

    init(consuming result: duckdb_result, maxRows: Int = .max) {
        var result = result
        defer { duckdb_destroy_result(&result) }
        let columns = Self.columns(of: &result)
        let columnCount = columns.count
        self.columns = columns
        self.rowsChanged = Int(duckdb_rows_changed(&result))
        self.rows = []

        let chunkCount = Int(duckdb_result_chunk_count(result))
        chunks: for chunkIndex in 0..<chunkCount {
            var chunk: duckdb_data_chunk? = duckdb_result_get_chunk(result, idx_t(chunkIndex))
            defer { duckdb_destroy_data_chunk(&chunk) }
            let size = Int(duckdb_data_chunk_get_size(chunk))
            let vectors = (0..<columnCount).map { duckdb_data_chunk_get_vector(chunk, idx_t($0)) }
            for r in 0..<size {
                if rows.count == maxRows { truncated = true; break chunks }
                var row: [Value] = []
                row.reserveCapacity(columnCount)
                for c in 0..<columnCount {
                    row.append(VectorReader.value(vectors[c], row: r))
                }
                rows.append(row)
            }
        }
    }

    static func columns(of result: inout duckdb_result) -> [Column] {
        (0..<Int(duckdb_column_count(&result))).map { c in
            var logical: duckdb_logical_type? = duckdb_column_logical_type(&result, idx_t(c))
            defer { duckdb_destroy_logical_type(&logical) }
            return Column(name: String(cString: duckdb_column_name(&result, idx_t(c))), type: typeName(logical!))
        }
    }

    private static func typeName(_ logical: duckdb_logical_type) -> String {
        if let alias = duckdb_logical_type_get_alias(logical) {
            defer { duckdb_free(alias) }
            return String(cString: alias)
        }
        // duckdb_logical_type has no to-string; type ids cover what memoryd's callers need.
        return typeIDName(duckdb_get_type_id(logical))
    }

    private static func typeIDName(_ id: duckdb_type) -> String {
        switch id {
        case DUCKDB_TYPE_BOOLEAN: "BOOLEAN"
        case DUCKDB_TYPE_TINYINT: "TINYINT"
        case DUCKDB_TYPE_SMALLINT: "SMALLINT"
        case DUCKDB_TYPE_INTEGER: "INTEGER"
        case DUCKDB_TYPE_BIGINT: "BIGINT"
        case DUCKDB_TYPE_UTINYINT: "UTINYINT"
        case DUCKDB_TYPE_USMALLINT: "USMALLINT"
        case DUCKDB_TYPE_UINTEGER: "UINTEGER"
        case DUCKDB_TYPE_UBIGINT: "UBIGINT"
        case DUCKDB_TYPE_HUGEINT: "HUGEINT"
        case DUCKDB_TYPE_FLOAT: "FLOAT"
        case DUCKDB_TYPE_DOUBLE: "DOUBLE"
        case DUCKDB_TYPE_DECIMAL: "DECIMAL"
        case DUCKDB_TYPE_VARCHAR: "VARCHAR"
        case DUCKDB_TYPE_BLOB: "BLOB"
        case DUCKDB_TYPE_DATE: "DATE"
        case DUCKDB_TYPE_TIME: "TIME"
        case DUCKDB_TYPE_TIMESTAMP: "TIMESTAMP"
        case DUCKDB_TYPE_TIMESTAMP_TZ: "TIMESTAMP WITH TIME ZONE"
        case DUCKDB_TYPE_INTERVAL: "INTERVAL"
        case DUCKDB_TYPE_LIST: "LIST"
        case DUCKDB_TYPE_STRUCT: "STRUCT"
        case DUCKDB_TYPE_MAP: "MAP"
        case DUCKDB_TYPE_UUID: "UUID"
        case DUCKDB_TYPE_ENUM: "ENUM"
        default: "OTHER"
        }
    }
}
