import CDuckDB

/// An open DuckDB database file (or `:memory:`). Connections keep it alive.
public final class Database: @unchecked Sendable {
    // duckdb_database is thread-safe; connections are created from any thread.
    let handle: duckdb_database

    /// Opens (creating if needed) the database at `path` with DuckDB configuration options
    /// (e.g. `["threads": "2"]`).
    public init(path: String, options: [(String, String)] = []) throws {
        var config: duckdb_config?
        guard duckdb_create_config(&config) == DuckDBSuccess else { throw DuckDBError.open("cannot create config") }
        defer { duckdb_destroy_config(&config) }
        for (name, value) in options {
            guard duckdb_set_config(config, name, value) == DuckDBSuccess else {
                throw DuckDBError.open("invalid DuckDB option \(name)=\(value)")
            }
        }
        var db: duckdb_database?
        var error: UnsafeMutablePointer<CChar>?
        if duckdb_open_ext(path, &db, config, &error) != DuckDBSuccess {
            let message = error.map { String(cString: $0) } ?? "cannot open \(path)"
            if let error { duckdb_free(error) }
            throw DuckDBError.open(message)
        }
        handle = db!
    }

    deinit {
        var db: duckdb_database? = handle
        duckdb_close(&db)
    }

    /// A new connection to this database.
    public func connect() throws -> Connection {
        try Connection(database: self)
    }

    /// The DuckDB engine version, e.g. `v1.5.5`.
    public static var libraryVersion: String { String(cString: duckdb_library_version()) }
}

extension Database {
    /// The file the DuckDB engine was loaded from (found with `dladdr`), so files installed
    /// beside it, such as extensions, can be located without configuration.
    public static var libraryFile: String? {
        memoryd_duckdb_library_file().map { String(cString: $0) }
    }
}
