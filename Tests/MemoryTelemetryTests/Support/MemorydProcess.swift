import Foundation
import Synchronization
import TestSupport

/// The real `memoryd` binary (a dependency of this test target, so it is built first) as a
/// child process.
final class MemorydProcess: Sendable {
    let otlpPort: Int
    let apiPort: Int
    let databasePath: String
    private let process: SendableProcess
    private let exit: Exit

    static var binary: URL { TestServer.binary }

    private init(process: SendableProcess, exit: Exit, otlpPort: Int, apiPort: Int, databasePath: String) {
        self.process = process
        self.exit = exit
        self.otlpPort = otlpPort
        self.apiPort = apiPort
        self.databasePath = databasePath
    }

    /// `memoryd serve --db PATH` on free ports, once it prints `listening otlp=… api=…`.
    static func start(databasePath: String) async throws -> MemorydProcess {
        let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--db", databasePath, "--otlp-port", "0", "--api-port", "0"]
        process.currentDirectoryURL = directory
        process.environment = TestServer.childEnvironment()
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let exit = Exit()
        process.terminationHandler = { exit.fulfill($0.terminationStatus) }
        try process.run()

        let handle = stdout.fileHandleForReading
        let line: String? = await withCheckedContinuation { continuation in
            // Blocking reads stay off the cooperative pool.
            Thread {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { return continuation.resume(returning: nil) }
                    buffer.append(chunk)
                    if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("listening ") }) {
                        return continuation.resume(returning: String(line))
                    }
                }
            }.start()
        }
        var ports: [String: Int] = [:]
        for field in (line ?? "").split(separator: " ").dropFirst() {
            let parts = field.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let port = parts[1].split(separator: ":").last.flatMap({ Int($0) }) { ports[String(parts[0])] = port }
        }
        guard let otlp = ports["otlp"], let api = ports["api"] else {
            process.terminate()
            throw TestFailure("memoryd serve did not start: \(line ?? "no listening line")")
        }
        return MemorydProcess(process: SendableProcess(process), exit: exit, otlpPort: otlp, apiPort: api, databasePath: databasePath)
    }

    /// SIGTERM, and the exit status once it has stopped (queued rows committed).
    @discardableResult
    func stop() async -> Int32 {
        if exit.current == nil { kill(process.value.processIdentifier, SIGTERM) }
        return await exit.value
    }

    deinit {
        if exit.current == nil { kill(process.value.processIdentifier, SIGKILL) }
    }

    /// Runs a one-shot verb and captures its output; the test's own `MEMORYD_*` and `OTEL_*`
    /// variables are left out, `environment` is added.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MEMORYD_") && !$0.key.hasPrefix("OTEL_") }
            .merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let exit = Exit()
        process.terminationHandler = { exit.fulfill($0.terminationStatus) }
        try process.run()
        let out = Collected(stdout.fileHandleForReading)
        let err = Collected(stderr.fileHandleForReading)
        let status = await exit.value
        return (status, await out.text, await err.text)
    }

    /// `memoryd query --format json SQL` on a stopped daemon's file, parsed.
    func query(_ sql: String) async throws -> [[String: Any]] {
        let output = try await Self.run(["query", "--db", databasePath, "--format", "json", sql],
                                        in: URL(fileURLWithPath: databasePath).deletingLastPathComponent())
        guard output.status == 0 else { throw TestFailure("memoryd query exited \(output.status): \(output.stderr)") }
        guard let rows = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] else {
            throw TestFailure("memoryd query printed no JSON array: \(output.stdout.prefix(300))")
        }
        return rows
    }
}

/// `Process` is not Sendable; this one is only signalled after start.
private struct SendableProcess: @unchecked Sendable {
    let value: Process
    init(_ value: Process) { self.value = value }
}

/// An exit status that arrives once and any number of tasks can await.
final class Exit: Sendable {
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    var current: Int32? { state.withLock { $0.status } }

    func fulfill(_ status: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32, Never>] in
            guard state.status == nil else { return [] }
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    var value: Int32 {
        get async {
            await withCheckedContinuation { continuation in
                let status = state.withLock { state -> Int32? in
                    if state.status == nil { state.waiters.append(continuation) }
                    return state.status
                }
                if let status { continuation.resume(returning: status) }
            }
        }
    }
}

/// A pipe read to its end on a thread of its own, so a large output cannot block the child.
private final class Collected: Sendable {
    private let task: Task<String, Never>

    init(_ handle: FileHandle) {
        task = Task {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)) }.start()
            }
        }
    }

    var text: String { get async { await task.value } }
}
