/// Logfire's levels, sent as `logfire.level_num` (memoryd's `level` column and Logfire's
/// `level` read the same numbers).
public enum LogLevel: Int, Sendable, Hashable, Comparable, CaseIterable {
    case debug = 5
    case info = 9
    case warn = 13
    case error = 17

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The console's column.
    var label: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }
}
