import Foundation
import TestSupport

/// `memoryd ingest …` as a child process (the real binary), its stdout collected.
final class IngestProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private let exit = OneShot<Int32>()
    /// Fulfilled when the output pipe reaches its end (everything the child wrote is in `output`).
    private let drained = OneShot<Void>()

    /// `standardInput`: the child's stdin (default: empty).
    init(_ arguments: [String], in directory: URL, standardInput: FileHandle = .nullDevice) throws {
        process.executableURL = TestServer.binary
        process.arguments = ["ingest"] + arguments
        process.currentDirectoryURL = directory
        process.environment = TestServer.childEnvironment()
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stdout
        process.standardInput = standardInput
        process.terminationHandler = { [exit] in exit.fulfill($0.terminationStatus) }
        try process.run()
        // Blocking reads on a thread of their own, off the cooperative pool.
        let handle = stdout.fileHandleForReading
        Thread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty { lock.withLock { output.append(chunk) } }
            drained.fulfill(())
        }.start()
    }

    /// A test that fails midway must not leave the child running.
    deinit {
        if exit.current == nil { kill(process.processIdentifier, SIGKILL) }
    }

    var text: String { lock.withLock { String(decoding: output, as: UTF8.self) } }

    /// Waits (hang guard: 60 s) until the output has a line for which `match` holds.
    func waitForLine(_ what: String, _ match: (Substring) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !text.split(separator: "\n").contains(where: match) {
            guard ContinuousClock.now < deadline, exit.current == nil || text.split(separator: "\n").contains(where: match) else {
                throw TestFailure("no \(what) from memoryd ingest; output:\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends `signal` and waits for the exit (SIGKILL after 60 s): the exit status, or the signal.
    func stop(_ signal: Int32) async -> (status: Int32, bySignal: Bool) {
        kill(process.processIdentifier, signal)
        return await finished()
    }

    func finished() async -> (status: Int32, bySignal: Bool) {
        let timer = Task { [process, exit] in
            try? await Task.sleep(for: .seconds(60))
            if exit.current == nil { kill(process.processIdentifier, SIGKILL) }
        }
        defer { timer.cancel() }
        let status = await exit.value
        // The exit can be seen before the reader has taken the child's last output.
        let deadline = ContinuousClock.now + .seconds(30)
        while drained.current == nil, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return (status, process.terminationReason == .uncaughtSignal)
    }
}
