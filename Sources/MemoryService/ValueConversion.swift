import Contracts
import DuckDB

extension JSONValue {
    /// A DuckDB value as JSON: timestamps as RFC 3339 text, BLOBs as hex, lists as arrays,
    /// structs as objects; a `JSON` column's text is parsed so clients get structure.
    init(_ value: DuckDB.Value, type: String? = nil) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .integer(i)
        case .uint(let u): self = Int64(exactly: u).map(JSONValue.integer) ?? .number(Double(u))
        case .double(let d): self = d.isFinite ? .number(d) : .string("\(d)")
        case .text(let s):
            if type == "JSON", let parsed = try? JSONValue(parsing: s) { self = parsed } else { self = .string(s) }
        case .blob(let bytes):
            let digits = Array("0123456789abcdef")
            self = .string(String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }))
        case .timestamp(let micros): self = .string(TimestampFormat.iso8601(micros: micros))
        case .date(let days): self = .string(TimestampFormat.date(days: Int64(days)))
        case .list(let items): self = .array(items.map { JSONValue($0) })
        case .structure(let fields): self = .object(JSONObject(fields.map { ($0.name, JSONValue($0.value)) }))
        }
    }

    /// The value bound for a `$n` parameter of `memory_query`.
    var parameter: DuckDB.Value? {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .integer(let i): .int(i)
        case .number(let d): .double(d)
        case .string(let s): .text(s)
        case .array, .object: nil
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Milliseconds with microsecond precision, for `elapsed_ms` figures.
    var fractionalMilliseconds: Double {
        let (seconds, attoseconds) = components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }
}
