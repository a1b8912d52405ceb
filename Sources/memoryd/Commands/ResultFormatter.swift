import DuckDB
import Foundation

/// Renders query results for the terminal (aligned table), for programs (JSON array of
/// objects, numbers as numbers) and for spreadsheets (RFC 4180 CSV).
enum ResultFormatter {
    static func render(_ result: ResultSet, as format: Query.Format) -> String {
        switch format {
        case .table: table(result)
        case .json: json(result)
        case .csv: csv(result)
        }
    }

    private static func table(_ result: ResultSet) -> String {
        let header = result.columns.map(\.name)
        let cells = result.rows.map { $0.map { cell($0) } }
        var widths = header.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ values: [String]) -> String {
            values.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: " | ") + "\n"
        }
        var out = line(header)
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
        for row in cells { out += line(row) }
        out += "(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))\n"
        return out
    }

    private static func cell(_ value: Value) -> String {
        let text = value.description
        let flat = text.replacingOccurrences(of: "\n", with: "\\n")
        return flat.count > 80 ? String(flat.prefix(77)) + "..." : flat
    }

    private static func json(_ result: ResultSet) -> String {
        let objects: [[String: Any]] = result.rows.map { row in
            var object: [String: Any] = [:]
            for (column, value) in zip(result.columns, row) { object[column.name] = jsonValue(value) }
            return object
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func jsonValue(_ value: Value) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let b): b
        case .int(let i): i
        case .uint(let u): u
        case .double(let d): d.isFinite ? d as Any : "\(d)"
        case .text(let s): s
        case .blob(let b): Data(b).base64EncodedString()
        case .timestamp, .date: value.description
        case .list(let values): values.map(jsonValue)
        case .structure(let fields):
            Dictionary(fields.map { ($0.name, jsonValue($0.value)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    private static func csv(_ result: ResultSet) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = result.columns.map { field($0.name) }.joined(separator: ",") + "\r\n"
        for row in result.rows {
            out += row.map { $0.isNull ? "" : field($0.description) }.joined(separator: ",") + "\r\n"
        }
        return out
    }
}
