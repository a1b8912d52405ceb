import DuckDB

extension Store {
    /// Statements that only read start with one of these (DuckDB's planner has side effects
    /// for some others even when never executed: `EXPORT DATABASE` creates its directory).
    static let readKeywords: Set<String> = [
        "select", "with", "from", "values", "table", "explain", "describe", "show", "summarize", "pivot", "unpivot",
    ]

    /// Runs exactly one read statement, judged by its leading keyword and then by DuckDB's own
    /// parse (not by matching text alone), inside a read-only transaction that is always rolled
    /// back. Returns at most `maxRows` rows.
    public func readOnlyQuery(_ sql: String, parameters: [Value] = [], maxRows: Int = .max) throws -> ResultSet {
        try Self.withReadOnlyStatement(sql, parameters: parameters, on: connect()) { try $0.query(maxRows: maxRows) }
    }

    /// Prepares `sql` on `connection` if it is exactly one read statement (leading keyword,
    /// then the prepared statement's type), binds `parameters` and hands it to `body` inside a
    /// read-only transaction that is rolled back afterwards, whatever `body` does.
    public static func withReadOnlyStatement<T>(
        _ sql: String, parameters: [Value], on connection: Connection, _ body: (PreparedStatement) throws -> T
    ) throws -> T {
        let count = try connection.statementCount(sql)
        guard count == 1 else { throw StoreError.notOneStatement(count) }
        let words = SQLWords(sql)
        guard let first = words.first, readKeywords.contains(first) else {
            throw StoreError.notReadOnly(words.first.map { $0.uppercased() } ?? "an empty statement")
        }
        // EXPLAIN ANALYZE executes the statement it explains.
        if first == "explain", words.contains(where: { $0 == "analyze" || $0 == "analyse" }) {
            throw StoreError.notReadOnly("EXPLAIN ANALYZE")
        }
        try connection.execute("BEGIN TRANSACTION READ ONLY")
        defer { try? connection.execute("ROLLBACK") }
        let statement = try connection.prepare(sql)
        guard statement.kind.isRead else { throw StoreError.notReadOnly("\(statement.kind)".uppercased()) }
        guard statement.parameterCount == parameters.count else {
            throw StoreError.parameterCount(expected: statement.parameterCount, got: parameters.count)
        }
        try statement.bind(parameters)
        return try body(statement)
    }
}

/// The lowercased words of a SQL text outside comments and quoted strings or identifiers.
struct SQLWords: Sequence {
    private let words: [String]

    init(_ sql: String) {
        var words: [String] = []
        var current = ""
        let scalars = Array(sql.unicodeScalars)
        var i = 0
        func flush() {
            if !current.isEmpty { words.append(current.lowercased()); current = "" }
        }
        while i < scalars.count {
            let c = scalars[i]
            let next = i + 1 < scalars.count ? scalars[i + 1] : " "
            if c == "-", next == "-" {
                flush()
                while i < scalars.count, scalars[i] != "\n" { i += 1 }
            } else if c == "/", next == "*" {
                flush()
                i += 2
                while i + 1 < scalars.count, !(scalars[i] == "*" && scalars[i + 1] == "/") { i += 1 }
                i += 2
                continue
            } else if c == "'" || c == "\"" {
                flush()
                i += 1
                while i < scalars.count, scalars[i] != c { i += 1 }
            } else if c.properties.isAlphabetic || c == "_" || (c.properties.numericType != nil && !current.isEmpty) {
                current.unicodeScalars.append(c)
            } else {
                flush()
            }
            i += 1
        }
        flush()
        self.words = words
    }

    func makeIterator() -> IndexingIterator<[String]> { words.makeIterator() }
    var first: String? { words.first }
}
