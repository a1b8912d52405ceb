import DuckDB
import Foundation

/// A fresh in-memory database with one connection.
func memoryConnection() throws -> Connection {
    try Database(path: ":memory:").connect()
}

/// A directory under the system temp folder, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("duckdb-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension Connection {
    /// The single value of a one-row, one-column query.
    func scalar(_ sql: String) throws -> Value {
        let result = try query(sql)
        precondition(result.rows.count == 1 && result.columns.count == 1, "scalar query returned \(result.rows)")
        return result.rows[0][0]
    }
}
