import Foundation
import TestSupport

/// Runs the `memoryd` binary's one-shot verbs (`query`, `health`) and captures their output.
enum MemorydCLI {
    static func run(_ arguments: [String], in directory: URL? = nil) async throws -> ChildProcess.Output {
        try await ChildProcess.memoryd(arguments, directory: directory)
    }

    /// `memoryd query --db PATH --format json SQL`, parsed; throws unless it exits 0.
    static func query(db: String, _ sql: String) async throws -> [JSONValue] {
        let output = try await run(["query", "--db", db, "--format", "json", sql],
                                   in: URL(fileURLWithPath: db).deletingLastPathComponent())
        guard output.status == 0 else {
            throw TestFailure("memoryd query exited \(output.status): \(output.stderr)")
        }
        guard case .array(let rows) = try JSONValue(parsing: output.stdout) else {
            throw TestFailure("memoryd query printed no JSON array: \(output.stdout.prefix(300))")
        }
        return rows
    }

    /// `select count(*) AS n …` through the CLI.
    static func count(db: String, _ sql: String) async throws -> Int {
        let rows = try await query(db: db, sql)
        guard let first = rows.first, case .object(let columns) = first, let value = columns.values.first?.int64Value else {
            throw TestFailure("no count from \(sql): \(rows)")
        }
        return Int(value)
    }
}
