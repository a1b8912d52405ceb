import Foundation

/// SQL text for values that cannot be bound parameters (`COPY … TO`, `SET`, `LOAD`, statements
/// built for people to read), and list parameters.
public enum SQL {
    /// `text` as a SQL string literal: in single quotes, each single quote doubled.
    public static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `values` as a JSON array of strings, to bind as one parameter and read back with
    /// `unnest(from_json($1, '["VARCHAR"]'))`.
    static func jsonStringArray(_ values: some Collection<String>) -> String {
        var writer = JSONWriter(capacity: values.count * 24)
        writer.byte(UInt8(ascii: "["))
        for (n, value) in values.enumerated() {
            if n > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.string(value)
        }
        writer.byte(UInt8(ascii: "]"))
        return writer.string
    }
}
