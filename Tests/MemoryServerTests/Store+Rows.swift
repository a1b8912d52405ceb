import DuckDB
import MemoryStore
import TestSupport

/// Reading the store back in tests, through the same read-only path the CLI uses.
extension Store {
    /// Rows as column name → value.
    func rows(_ sql: String) throws -> [[String: Value]] {
        let result = try readOnlyQuery(sql)
        return result.rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(result.columns.map(\.name), row))
        }
    }

    /// The first column of the first row as an integer (`select count(*) …`).
    func integer(_ sql: String) throws -> Int {
        let result = try readOnlyQuery(sql)
        guard let value = result.rows.first?.first?.int64 else {
            throw TestFailure("no integer from \(sql): \(result.rows)")
        }
        return Int(value)
    }

    func count(_ table: String, where condition: String = "true") throws -> Int {
        try integer("SELECT count(*) FROM \(table) WHERE \(condition)")
    }

    /// Rows in the telemetry tables, for "nothing stored twice" checks.
    func tableCounts() throws -> TableCounts {
        TableCounts(spans: try count("spans"), pendingSpans: try count("pending_spans"), logs: try count("logs"),
                    points: try count("metric_points"))
    }
}

extension Value {
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var double: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        case .uint(let u): Double(u)
        default: nil
        }
    }
    /// A JSON column, parsed (nil for SQL NULL).
    func json() throws -> JSONValue? {
        guard let text = string else { return nil }
        return try JSONValue(parsing: text)
    }
}
