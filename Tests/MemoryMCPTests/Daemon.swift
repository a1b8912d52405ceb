import Foundation
import TestSupport
import Testing

/// The real `memoryd` binary: `serve` as a child process on kernel-picked ports, and the
/// one-shot and stdio verbs.
final class Daemon: @unchecked Sendable {
    let process: Process
    let apiPort: Int
    let databasePath: String
    let logFile: URL

    static var binary: URL { TestServer.binary }

    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        TestServer.childEnvironment(extra)
    }

    private init(process: Process, apiPort: Int, databasePath: String, logFile: URL) {
        self.process = process
        self.apiPort = apiPort
        self.databasePath = databasePath
        self.logFile = logFile
    }

    /// `memoryd serve --db databasePath` (the database's folder is the working directory, so
    /// no stray memoryd.toml is read), ready once it prints its `listening` line.
    static func start(databasePath: String, apiPort: Int = 0) async throws -> Daemon {
        let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        let logFile = directory.appendingPathComponent("memoryd-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--db", databasePath, "--otlp-port", "0", "--api-port", "\(apiPort)"]
        process.currentDirectoryURL = directory
        process.environment = environment()
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let output = await read(stdout.fileHandleForReading) { data in
            String(decoding: data, as: UTF8.self).split(separator: "\n").contains { $0.hasPrefix("listening ") }
        }
        let line = String(decoding: output, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("listening ") }
        guard let line, let api = line.split(separator: " ").first(where: { $0.hasPrefix("api=") })?
            .split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw TestFailure("memoryd serve did not start: \((try? String(contentsOf: logFile, encoding: .utf8)) ?? "")")
        }
        return Daemon(process: process, apiPort: api, databasePath: databasePath, logFile: logFile)
    }

    var mcpURL: URL { URL(string: "http://127.0.0.1:\(apiPort)/mcp")! }
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status; SIGKILL (and nil) past `timeout`.
    @discardableResult
    func stop(timeout: Duration = .seconds(30)) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
