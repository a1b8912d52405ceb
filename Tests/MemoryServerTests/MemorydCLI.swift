import Foundation
import TestSupport

/// Runs the `memoryd` binary's one-shot verbs (`query`, `health`) and captures their output.
enum MemorydCLI {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: URL? = nil) async throws -> Output {
        let process = Process()
        process.executableURL = TestServer.binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MEMORYD_") }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let exited = OneShot<Int32>()
        process.terminationHandler = { exited.fulfill($0.terminationStatus) }
        try process.run()
        // Drain both pipes on threads of their own so a large result cannot block the child.
        let out = OneShot<Data>()
        let err = OneShot<Data>()
        let outHandle = stdout.fileHandleForReading
        let errHandle = stderr.fileHandleForReading
        Thread { out.fulfill(outHandle.readDataToEndOfFile()) }.start()
        Thread { err.fulfill(errHandle.readDataToEndOfFile()) }.start()
        let status = await exited.value
        return Output(status: status, stdout: String(decoding: await out.value, as: UTF8.self),
                      stderr: String(decoding: await err.value, as: UTF8.self))
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
