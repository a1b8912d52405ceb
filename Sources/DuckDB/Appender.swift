import CDuckDB

/// DuckDB's bulk writer: rows go straight into the table's column storage, far faster than
/// INSERT. Values are appended column by column; `endRow()` closes each row.
public final class Appender {
    private var handle: duckdb_appender?

    init(connection: Connection, schema: String?, table: String) throws {
        if duckdb_appender_create(connection.handle, schema, table, &handle) != DuckDBSuccess {
            let message = duckdb_appender_error(handle).map { String(cString: $0) } ?? "cannot append to \(table)"
            duckdb_appender_destroy(&handle)
            throw DuckDBError.appender(message)
        }
    }

    deinit { duckdb_appender_destroy(&handle) }

    @inline(__always)
    private func check(_ state: duckdb_state) throws {
        if state != DuckDBSuccess { throw DuckDBError.appender(error) }
    }

    private var error: String {
        duckdb_appender_error(handle).map { String(cString: $0) } ?? "append failed"
    }

    public func append(_ value: String) throws {
        var value = value
        try value.withUTF8 { buffer in
            try buffer.withMemoryRebound(to: CChar.self) {
                try check(duckdb_append_varchar_length(handle, $0.baseAddress, idx_t($0.count)))
            }
        }
    }

    public func append(_ value: String?) throws {
        if let value { try append(value) } else { try appendNull() }
    }

    public func append(_ value: Int64) throws { try check(duckdb_append_int64(handle, value)) }
    public func append(_ value: Int64?) throws {
        if let value { try append(value) } else { try appendNull() }
    }
    public func append(_ value: Int32) throws { try check(duckdb_append_int32(handle, value)) }
    public func append(_ value: Int32?) throws {
        if let value { try append(value) } else { try appendNull() }
    }
    public func append(_ value: UInt64) throws { try check(duckdb_append_uint64(handle, value)) }
    public func append(_ value: Double) throws { try check(duckdb_append_double(handle, value)) }
    public func append(_ value: Double?) throws {
        if let value { try append(value) } else { try appendNull() }
    }
    public func append(_ value: Bool) throws { try check(duckdb_append_bool(handle, value)) }
    public func append(_ value: Bool?) throws {
        if let value { try append(value) } else { try appendNull() }
    }

    /// A TIMESTAMP / TIMESTAMPTZ column, in microseconds since the epoch.
    public func appendTimestamp(micros: Int64) throws {
        try check(duckdb_append_timestamp(handle, duckdb_timestamp(micros: micros)))
    }

    public func appendTimestamp(micros: Int64?) throws {
        if let micros { try appendTimestamp(micros: micros) } else { try appendNull() }
    }

    /// A VARCHAR[] column.
    public func append(list: [String]) throws {
        var elementType: duckdb_logical_type? = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR)
        defer { duckdb_destroy_logical_type(&elementType) }
        var values: [duckdb_value?] = list.map { duckdb_create_varchar_length($0, idx_t($0.utf8.count)) }
        defer { for i in values.indices { duckdb_destroy_value(&values[i]) } }
        var listValue: duckdb_value? = values.withUnsafeMutableBufferPointer {
            duckdb_create_list_value(elementType, $0.baseAddress, idx_t($0.count))
        }
        defer { duckdb_destroy_value(&listValue) }
        try check(duckdb_append_value(handle, listValue))
    }

    public func appendNull() throws { try check(duckdb_append_null(handle)) }

    public func endRow() throws { try check(duckdb_appender_end_row(handle)) }

    /// Writes buffered rows into the table (inside the caller's transaction, if any).
    public func flush() throws { try check(duckdb_appender_flush(handle)) }

    /// Flushes and closes; the appender cannot be used afterwards.
    public func close() throws { try check(duckdb_appender_close(handle)) }
}
