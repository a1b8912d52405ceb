import CDuckDB

/// One DuckDB connection. Not thread-safe: use it from one task at a time (the owner
/// serializes); only `interrupt()` may be called from elsewhere.
public final class Connection: @unchecked Sendable {
    let handle: duckdb_connection
    private let database: Database
    private var statementCache: [String: PreparedStatement] = [:]

    init(database: Database) throws {
        self.database = database
        var conn: duckdb_connection?
        guard duckdb_connect(database.handle, &conn) == DuckDBSuccess, let conn else {
            throw DuckDBError.connect("cannot connect to database")
        }
        handle = conn
    }

    deinit {
        // Cached statements go first: they refer to this connection's handle.
        statementCache.removeAll()
        var conn: duckdb_connection? = handle
        duckdb_disconnect(&conn)
    }

    /// Runs one or more statements, discarding results.
    public func execute(_ sql: String) throws {
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }
        if duckdb_query(handle, sql, &result) != DuckDBSuccess {
            throw DuckDBError.query(String(cString: duckdb_result_error(&result)))
        }
    }

    /// Runs a query and materializes its result.
    public func query(_ sql: String) throws -> ResultSet {
        var result = duckdb_result()
        if duckdb_query(handle, sql, &result) != DuckDBSuccess {
            let message = String(cString: duckdb_result_error(&result))
            duckdb_destroy_result(&result)
            throw DuckDBError.query(message)
        }
        return ResultSet(consuming: result)
    }

    /// Prepares one statement for repeated execution with bound parameters.
    public func prepare(_ sql: String) throws -> PreparedStatement {
        try PreparedStatement(connection: self, sql: sql)
    }

    /// The statement for `sql`, prepared on first use and kept for this connection's lifetime:
    /// for the fixed statements of hot paths, where planning costs as much as running.
    public func cachedStatement(_ sql: String) throws -> PreparedStatement {
        if let statement = statementCache[sql] { return statement }
        let statement = try PreparedStatement(connection: self, sql: sql, retainingConnection: false)
        statementCache[sql] = statement
        return statement
    }

    /// Splits `sql` into statements without running them (the count guards untrusted input).
    public func statementCount(_ sql: String) throws -> Int {
        var extracted: duckdb_extracted_statements?
        defer { duckdb_destroy_extracted(&extracted) }
        let count = duckdb_extract_statements(handle, sql, &extracted)
        if count == 0, let extracted, let error = duckdb_extract_statements_error(extracted) {
            throw DuckDBError.prepare(String(cString: error))
        }
        return Int(count)
    }

    /// A bulk writer for `table`; rows are appended in column order.
    public func appender(table: String, schema: String? = nil) throws -> Appender {
        try Appender(connection: self, schema: schema, table: table)
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN TRANSACTION")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Asks the running statement on this connection to stop; it fails with an interrupt error.
    public func interrupt() {
        duckdb_interrupt(handle)
    }
}
