/// An error reported by DuckDB, carrying DuckDB's own message.
public struct DuckDBError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case open, connect, query, prepare, bind, execute, appender, transaction, unsupported
    }

    private let code: Code
    /// DuckDB's message, unchanged.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// True when the statement stopped because `Connection.interrupt()` was called.
    public var isInterrupt: Bool { message.contains("INTERRUPT") || message.contains("nterrupted") }

    static func open(_ message: String) -> Self { .init(.open, message) }
    static func connect(_ message: String) -> Self { .init(.connect, message) }
    static func query(_ message: String) -> Self { .init(.query, message) }
    static func prepare(_ message: String) -> Self { .init(.prepare, message) }
    static func bind(_ message: String) -> Self { .init(.bind, message) }
    static func execute(_ message: String) -> Self { .init(.execute, message) }
    static func appender(_ message: String) -> Self { .init(.appender, message) }
    static func unsupported(_ message: String) -> Self { .init(.unsupported, message) }
}
