import CDuckDB

/// What a prepared statement does, from DuckDB's own parse (not from the SQL text).
public enum StatementKind: Sendable, Equatable {
    case select, explain, insert, update, delete, create, drop, alter, copy, attach, detach
    case set, pragma, call, load, transaction, export, other(Int)

    init(_ type: duckdb_statement_type) {
        switch type {
        case DUCKDB_STATEMENT_TYPE_SELECT: self = .select
        case DUCKDB_STATEMENT_TYPE_EXPLAIN: self = .explain
        case DUCKDB_STATEMENT_TYPE_INSERT: self = .insert
        case DUCKDB_STATEMENT_TYPE_UPDATE: self = .update
        case DUCKDB_STATEMENT_TYPE_DELETE: self = .delete
        case DUCKDB_STATEMENT_TYPE_CREATE: self = .create
        case DUCKDB_STATEMENT_TYPE_DROP: self = .drop
        case DUCKDB_STATEMENT_TYPE_ALTER: self = .alter
        case DUCKDB_STATEMENT_TYPE_COPY: self = .copy
        case DUCKDB_STATEMENT_TYPE_ATTACH: self = .attach
        case DUCKDB_STATEMENT_TYPE_DETACH: self = .detach
        case DUCKDB_STATEMENT_TYPE_SET, DUCKDB_STATEMENT_TYPE_VARIABLE_SET: self = .set
        case DUCKDB_STATEMENT_TYPE_PRAGMA: self = .pragma
        case DUCKDB_STATEMENT_TYPE_CALL: self = .call
        case DUCKDB_STATEMENT_TYPE_LOAD: self = .load
        case DUCKDB_STATEMENT_TYPE_TRANSACTION: self = .transaction
        case DUCKDB_STATEMENT_TYPE_EXPORT: self = .export
        default: self = .other(Int(type.rawValue))
        }
    }

    /// Only plain queries and EXPLAIN of them read without side effects.
    public var isRead: Bool { self == .select || self == .explain }
}

/// A statement parsed and planned once, executed with typed parameters ($1, $2, … or ?).
public final class PreparedStatement: @unchecked Sendable {
    var handle: duckdb_prepared_statement?
    /// Keeps the connection open while the statement lives; nil for the statements a
    /// connection caches itself (they must not keep their owner alive).
    private let connection: Connection?
    /// The connection's handle, to interrupt what the statement left running.
    let connectionHandle: duckdb_connection

    init(connection: Connection, sql: String, retainingConnection: Bool = true) throws {
        self.connection = retainingConnection ? connection : nil
        connectionHandle = connection.handle
        if duckdb_prepare(connection.handle, sql, &handle) != DuckDBSuccess {
            let message = duckdb_prepare_error(handle).map { String(cString: $0) } ?? "cannot prepare statement"
            duckdb_destroy_prepare(&handle)
            throw DuckDBError.prepare(message)
        }
    }

    deinit { duckdb_destroy_prepare(&handle) }

    public var kind: StatementKind { StatementKind(duckdb_prepared_statement_type(handle)) }
    public var parameterCount: Int { Int(duckdb_nparams(handle)) }

    /// Binds `value` to the 1-based parameter `index`.
    public func bind(_ value: Value, at index: Int) throws {
        let i = idx_t(index)
        let state: duckdb_state
        switch value {
        case .null: state = duckdb_bind_null(handle, i)
        case .bool(let v): state = duckdb_bind_boolean(handle, i, v)
        case .int(let v): state = duckdb_bind_int64(handle, i, v)
        case .uint(let v): state = duckdb_bind_uint64(handle, i, v)
        case .double(let v): state = duckdb_bind_double(handle, i, v)
        case .text(let v):
            state = v.utf8.withContiguousStorageIfAvailable {
                $0.withMemoryRebound(to: CChar.self) { duckdb_bind_varchar_length(handle, i, $0.baseAddress, idx_t($0.count)) }
            } ?? duckdb_bind_varchar(handle, i, v)
        case .blob(let v): state = v.withUnsafeBytes { duckdb_bind_blob(handle, i, $0.baseAddress, idx_t($0.count)) }
        case .timestamp(let v): state = duckdb_bind_timestamp_tz(handle, i, duckdb_timestamp(micros: v))
        case .date(let v): state = duckdb_bind_date(handle, i, duckdb_date(days: v))
        case .list, .structure:
            throw DuckDBError.bind("parameter \(index): lists and structs cannot be bound; pass scalars")
        }
        if state != DuckDBSuccess {
            throw DuckDBError.bind("cannot bind parameter \(index) to \(value)")
        }
    }

    /// Binds all parameters in order.
    public func bind(_ values: [Value]) throws {
        duckdb_clear_bindings(handle)
        for (offset, value) in values.enumerated() { try bind(value, at: offset + 1) }
    }

    /// Executes with the current bindings and materializes at most `maxRows` rows
    /// (`ResultSet.truncated` tells whether more were available).
    public func query(maxRows: Int = .max) throws -> ResultSet {
        var result = duckdb_result()
        if duckdb_execute_prepared(handle, &result) != DuckDBSuccess {
            let message = String(cString: duckdb_result_error(&result))
            duckdb_destroy_result(&result)
            throw DuckDBError.execute(message)
        }
        return ResultSet(consuming: result, maxRows: maxRows)
    }

    /// Executes with the current bindings; returns the number of changed rows.
    @discardableResult
    public func execute() throws -> Int {
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }
        if duckdb_execute_prepared(handle, &result) != DuckDBSuccess {
            throw DuckDBError.execute(String(cString: duckdb_result_error(&result)))
        }
        return Int(duckdb_rows_changed(&result))
    }
}
