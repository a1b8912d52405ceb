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
        let columnCount = Int(duckdb_column_count(&result))
        var columns: [Column] = []
        var typeIDs: [duckdb_type] = []
        for c in 0..<columnCount {
            var logical: duckdb_logical_type? = duckdb_column_logical_type(&result, idx_t(c))
            defer { duckdb_destroy_logical_type(&logical) }
            typeIDs.append(duckdb_column_type(&result, idx_t(c)))
            columns.append(Column(name: String(cString: duckdb_column_name(&result, idx_t(c))),
                                  type: Self.typeName(logical!)))
        }
        self.columns = columns
        self.rowsChanged = Int(duckdb_rows_changed(&result))
        self.rows = []

        var globalRow = 0
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
                    row.append(Self.read(vectors[c], typeIDs[c], row: r, result: &result, column: c, globalRow: globalRow))
                }
                rows.append(row)
                globalRow += 1
            }
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

    private static func read(_ vector: duckdb_vector?, _ type: duckdb_type, row: Int,
                             result: inout duckdb_result, column: Int, globalRow: Int) -> Value {
        if let validity = duckdb_vector_get_validity(vector), !duckdb_validity_row_is_valid(validity, idx_t(row)) {
            return .null
        }
        let data = duckdb_vector_get_data(vector)!
        switch type {
        case DUCKDB_TYPE_BOOLEAN: return .bool(data.load(fromByteOffset: row, as: Bool.self))
        case DUCKDB_TYPE_TINYINT: return .int(Int64(data.load(fromByteOffset: row, as: Int8.self)))
        case DUCKDB_TYPE_SMALLINT: return .int(Int64(data.load(fromByteOffset: row * 2, as: Int16.self)))
        case DUCKDB_TYPE_INTEGER: return .int(Int64(data.load(fromByteOffset: row * 4, as: Int32.self)))
        case DUCKDB_TYPE_BIGINT: return .int(data.load(fromByteOffset: row * 8, as: Int64.self))
        case DUCKDB_TYPE_UTINYINT: return .uint(UInt64(data.load(fromByteOffset: row, as: UInt8.self)))
        case DUCKDB_TYPE_USMALLINT: return .uint(UInt64(data.load(fromByteOffset: row * 2, as: UInt16.self)))
        case DUCKDB_TYPE_UINTEGER: return .uint(UInt64(data.load(fromByteOffset: row * 4, as: UInt32.self)))
        case DUCKDB_TYPE_UBIGINT: return .uint(data.load(fromByteOffset: row * 8, as: UInt64.self))
        case DUCKDB_TYPE_FLOAT: return .double(Double(data.load(fromByteOffset: row * 4, as: Float.self)))
        case DUCKDB_TYPE_DOUBLE: return .double(data.load(fromByteOffset: row * 8, as: Double.self))
        case DUCKDB_TYPE_TIMESTAMP, DUCKDB_TYPE_TIMESTAMP_TZ:
            return .timestamp(data.load(fromByteOffset: row * 8, as: Int64.self))
        case DUCKDB_TYPE_DATE: return .date(data.load(fromByteOffset: row * 4, as: Int32.self))
        case DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_BLOB:
            var string = data.load(fromByteOffset: row * MemoryLayout<duckdb_string_t>.stride, as: duckdb_string_t.self)
            let length = Int(duckdb_string_t_length(string))
            let bytes = UnsafeRawBufferPointer(start: duckdb_string_t_data(&string), count: length)
            return type == DUCKDB_TYPE_BLOB ? .blob(Array(bytes)) : .text(String(decoding: bytes, as: UTF8.self))
        default:
            // Nested and exotic types: DuckDB's own text rendering.
            guard let text = duckdb_value_varchar(&result, idx_t(column), idx_t(globalRow)) else { return .null }
            defer { duckdb_free(text) }
            return .text(String(cString: text))
        }
    }
}
