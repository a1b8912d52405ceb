import Foundation

/// One run of a program to its end, with both output streams captured: the `memoryd` verbs,
/// the Python drivers, the stock duckdb engine.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments` (stdin from `input`, else empty) in `directory`, with
    /// `TestServer.childEnvironment(environment)`, and waits for it to exit.
    public static func run(_ executable: URL, _ arguments: [String], input: Data? = nil, directory: URL? = nil,
                           environment: [String: String] = [:]) async throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = TestServer.childEnvironment(environment)
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        let exited = OneShot<Int32>()
        process.terminationHandler = { exited.fulfill($0.terminationStatus) }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
        }
        // Drain both pipes on threads of their own so a large output cannot block the child.
        let out = OneShot<Data>(), err = OneShot<Data>()
        let outHandle = stdout.fileHandleForReading, errHandle = stderr.fileHandleForReading
        Thread { out.fulfill(outHandle.readDataToEndOfFile()) }.start()
        Thread { err.fulfill(errHandle.readDataToEndOfFile()) }.start()
        let status = await exited.value
        return Output(status: status, stdout: String(decoding: await out.value, as: UTF8.self),
                      stderr: String(decoding: await err.value, as: UTF8.self))
    }

    /// The `memoryd` binary the tests built.
    public static func memoryd(_ arguments: [String], input: Data? = nil, directory: URL? = nil,
                               environment: [String: String] = [:]) async throws -> Output {
        try await run(TestServer.binary, arguments, input: input, directory: directory, environment: environment)
    }
}
