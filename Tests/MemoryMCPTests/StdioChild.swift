import Contracts
import Foundation
import Synchronization

/// `memoryd mcp …` as an MCP host runs it: messages written to its stdin one per line, its
/// stdout read as lines (every one must be a JSON-RPC message), its stderr kept for failures.
final class StdioChild: @unchecked Sendable {
    let process: Process
    private let input: FileHandle
    private let stdoutLines = Mutex<[String]>([])
    private let stderrText = Mutex("")

    init(_ arguments: [String], environment: [String: String] = [:], in directory: URL) throws {
        process = Process()
        process.executableURL = Daemon.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = Daemon.environment(environment)
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        input = stdin.fileHandleForWriting
        try process.run()
        // Threads of their own drain both pipes, so a chatty child never blocks.
        Thread { [self] in
            var pending = ""
            while case let chunk = stdout.fileHandleForReading.availableData, !chunk.isEmpty {
                pending += String(decoding: chunk, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    stdoutLines.withLock { $0.append(line) }
                }
            }
        }.start()
        Thread { [self] in
            while case let chunk = stderr.fileHandleForReading.availableData, !chunk.isEmpty {
                stderrText.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }.start()
    }

    var stderr: String { stderrText.withLock { $0 } }
    var stdout: [String] { stdoutLines.withLock { $0 } }

    func send(_ message: JSONValue) throws {
        try input.write(contentsOf: Data((message.jsonText + "\n").utf8))
    }

    /// Sends `initialize` as `clientName` and `notifications/initialized`; returns the result.
    @discardableResult
    func initialize(as clientName: String) async throws -> JSONValue {
        try send(["jsonrpc": "2.0", "id": 0, "method": "initialize", "params": [
            "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": .string(clientName), "version": "1"],
        ]])
        let response = try await response(id: 0)
        try send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        return response
    }

    /// Calls `tool` with request id `id` and waits for its response.
    func call(_ tool: String, _ arguments: JSONValue, id: Int64) async throws -> JSONValue {
        try send(["jsonrpc": "2.0", "id": .integer(id), "method": "tools/call", "params": ["name": .string(tool), "arguments": arguments]])
        return try await response(id: .integer(id))
    }

    /// The response to request `id` (every stdout line must parse as JSON on the way).
    func response(id: JSONValue, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in stdout {
                let message: JSONValue
                do { message = try JSONValue(parsing: line) } catch {
                    throw TestFailure("stdout carries something that is not a JSON-RPC message: \(line)")
                }
                if message["id"] == id { return message }
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("no response to \(id) on stdout; stderr: \(stderr)")
    }

    /// Closes stdin (how a host ends the session) and waits for the exit status.
    func finish(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try input.close()
        return try await exit(timeout: timeout)
    }

    func exit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            process.terminate()
            throw TestFailure("memoryd mcp did not exit within \(timeout); stderr: \(stderr)")
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
