/// A DuckDB value as memoryd reads and binds it.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    /// Microseconds since the Unix epoch (TIMESTAMP and TIMESTAMPTZ).
    case timestamp(Int64)
    /// Days since the Unix epoch.
    case date(Int32)
    /// LIST and ARRAY values.
    case list([Value])
    /// STRUCT (and MAP entries), fields in declaration order.
    case structure([Field])

    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: Value
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    public var int64: Int64? {
        switch self {
        case .int(let v): v
        case .uint(let v): Int64(exactly: v)
        case .double(let v): Int64(exactly: v)
        case .timestamp(let v): v
        case .date(let v): Int64(v)
        default: nil
        }
    }

    public var string: String? {
        switch self {
        case .null: nil
        case .text(let s): s
        default: description
        }
    }
}

extension Value: CustomStringConvertible {
    /// Text form as DuckDB's CLI shows it (timestamps in UTC, ISO 8601).
    public var description: String {
        switch self {
        case .null: "NULL"
        case .bool(let v): v ? "true" : "false"
        case .int(let v): String(v)
        case .uint(let v): String(v)
        case .double(let v): String(v)
        case .text(let v): v
        case .blob(let v): "\\x" + v.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        case .timestamp(let micros): TimestampFormat.iso8601(micros: micros)
        case .date(let days): TimestampFormat.date(days: Int64(days))
        case .list(let values): "[" + values.map(\.nestedDescription).joined(separator: ", ") + "]"
        case .structure(let fields):
            "{" + fields.map { "'\($0.name)': \($0.value.nestedDescription)" }.joined(separator: ", ") + "}"
        }
    }

    /// Inside lists and structs, text is quoted as DuckDB prints it.
    private var nestedDescription: String {
        if case .text(let s) = self { return "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'" }
        return description
    }
}

/// Formats epoch-based values without Foundation's date machinery (this runs per row).
public enum TimestampFormat {
    public static func iso8601(micros: Int64) -> String {
        let (days, dayMicros) = floorDivMod(micros, 86_400_000_000)
        let seconds = dayMicros / 1_000_000
        let fraction = dayMicros % 1_000_000
        let (h, m, s) = (seconds / 3600, (seconds / 60) % 60, seconds % 60)
        var out = date(days: days) + "T" + pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2)
        if fraction != 0 { out += "." + pad(fraction, 6) }
        return out + "Z"
    }

    public static func date(days: Int64) -> String {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
