import DuckDB

extension Store {
    /// Runs exactly one read statement (SELECT or EXPLAIN, judged from DuckDB's parse, not
    /// the text), returning at most `maxRows` rows.
    public func readOnlyQuery(_ sql: String, parameters: [Value] = [], maxRows: Int = .max) throws -> ResultSet {
        let connection = try connect()
        let count = try connection.statementCount(sql)
        guard count == 1 else { throw StoreError.notOneStatement(count) }
        let statement = try connection.prepare(sql)
        guard statement.kind.isRead else { throw StoreError.notReadOnly("\(statement.kind)") }
        try statement.bind(parameters)
        return try statement.query(maxRows: maxRows)
    }
}
