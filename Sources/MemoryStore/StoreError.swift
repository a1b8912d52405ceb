/// Errors the store reports in its own terms (DuckDB's errors pass through as `DuckDBError`).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable { case schemaTooNew, notReadOnly, notOneStatement, missing, extensionMissing, parameterCount }
    private let code: Code
    public let description: String

    static func schemaTooNew(found: Int, supported: Int) -> Self {
        .init(code: .schemaTooNew, description: "database schema version \(found) is newer than this memoryd supports (\(supported)); upgrade memoryd")
    }

    static func missing(_ path: String) -> Self {
        .init(code: .missing, description: "no database at \(path) (start `memoryd serve` or pass --db)")
    }

    static func parameterCount(expected: Int, got: Int) -> Self {
        .init(code: .parameterCount, description: "the statement has \(expected) parameter(s), \(got) value(s) given")
    }

    static func extensionMissing(_ reason: String) -> Self {
        .init(code: .extensionMissing, description: reason)
    }

    static func notOneStatement(_ count: Int) -> Self {
        .init(code: .notOneStatement, description: "expected exactly one SQL statement, got \(count)")
    }

    /// True for refusals of the caller's SQL (as opposed to failures running it).
    public var isRefusal: Bool { code == .notReadOnly || code == .notOneStatement || code == .parameterCount }

    static func notReadOnly(_ kind: String) -> Self {
        .init(code: .notReadOnly, description: "only read statements (SELECT, EXPLAIN) are allowed here, got \(kind)")
    }
}
