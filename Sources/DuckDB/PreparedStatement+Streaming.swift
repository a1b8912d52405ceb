import CDuckDB

extension PreparedStatement {
    /// Executes with the current bindings and hands the rows to `visit` chunk by chunk as DuckDB
    /// produces them, so a huge result is never materialized. `visit` returns false to stop
    /// early; the rest of the result is then discarded without being computed.
    /// `onColumns` gets the result's columns before the first row; they are also returned.
    @discardableResult
    public func stream(
        onColumns: ([ResultSet.Column]) -> Void = { _ in }, _ visit: (_ row: [Value]) throws -> Bool
    ) throws -> [ResultSet.Column] {
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }
        if duckdb_execute_prepared_streaming(handle, &result) != DuckDBSuccess {
            throw DuckDBError.execute(String(cString: duckdb_result_error(&result)))
        }
        let columns = ResultSet.columns(of: &result)
        onColumns(columns)
        while true {
            var chunk: duckdb_data_chunk? = duckdb_fetch_chunk(result)
            guard chunk != nil else { break }
            defer { duckdb_destroy_data_chunk(&chunk) }
            let vectors = columns.indices.map { duckdb_data_chunk_get_vector(chunk, idx_t($0)) }
            for r in 0..<Int(duckdb_data_chunk_get_size(chunk)) {
                if try !visit(vectors.map { VectorReader.value($0, row: r) }) {
                    // Stop the rest: DuckDB's workers may be computing chunks ahead, and
                    // destroying the result would otherwise wait for them.
                    duckdb_interrupt(connectionHandle)
                    return columns
                }
            }
        }
        // A failure while streaming (an interrupt, an error in a later chunk) ends the chunks early.
        if let error = duckdb_result_error(&result) {
            throw DuckDBError.execute(String(cString: error))
        }
        return columns
    }
}
