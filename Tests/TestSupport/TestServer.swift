import Foundation
import Testing

/// The real `memoryd` binary as a child process: `memoryd serve --db PATH` on ports picked
/// by the kernel, ready once it prints its `listening otlp=… api=…` line.
public final class TestServer: @unchecked Sendable {
    public let process: Process
    public let otlpPort: Int
    public let apiPort: Int
    public let databasePath: String
    /// The server's stderr (its log), for failure messages.
    public let logFile: URL
    private let exit: OneShot<Int32>

    /// `.build/<triple>/debug/memoryd`: next to the test bundle, or found from this file.
    public static let binary: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("memoryd"),
            Bundle.main.bundleURL.appendingPathComponent("memoryd"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/memoryd"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    private init(process: Process, otlpPort: Int, apiPort: Int, databasePath: String, logFile: URL, exit: OneShot<Int32>) {
        self.process = process
        self.otlpPort = otlpPort
        self.apiPort = apiPort
        self.databasePath = databasePath
        self.logFile = logFile
        self.exit = exit
    }

    /// The environment of every child: no `MEMORYD_*` from the developer's shell, quiet logs,
    /// then `extra`.
    public static func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MEMORYD_") }
        environment["MEMORYD_LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts `memoryd serve` on `databasePath` (its directory also takes the log and is
    /// the working directory, so no stray memoryd.toml is read).
    public static func start(databasePath: String, environment: [String: String] = [:],
                      timeout: Duration = .seconds(60)) async throws -> TestServer {
        let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        let logFile = directory.appendingPathComponent("memoryd-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--db", databasePath, "--otlp-port", "0", "--api-port", "0"]
        process.currentDirectoryURL = directory
        process.environment = childEnvironment(environment)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice

        let exit = OneShot<Int32>()
        let ready = OneShot<Result<(Int, Int), TestFailure>>()
        process.terminationHandler = { process in
            ready.fulfill(.failure(TestFailure("memoryd exited with \(process.terminationStatus) before listening")))
            exit.fulfill(process.terminationStatus)
        }
        try process.run()

        // A thread of its own reads stdout (blocking reads stay off the cooperative pool).
        let handle = stdout.fileHandleForReading
        let reader = Thread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                let text = String(decoding: buffer, as: UTF8.self)
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening ") }) {
                    ready.fulfill(parse(String(line)))
                }
            }
            ready.fulfill(.failure(TestFailure("memoryd closed stdout without a listening line")))
        }
        reader.start()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            ready.fulfill(.failure(TestFailure("no listening line within \(timeout)")))
        }
        defer { timer.cancel() }

        switch await ready.value {
        case .success(let (otlp, api)):
            return TestServer(process: process, otlpPort: otlp, apiPort: api, databasePath: databasePath,
                              logFile: logFile, exit: exit)
        case .failure(let failure):
            if process.isRunning { process.terminate() }
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw TestFailure("\(failure.description)\n\(log)")
        }
    }

    /// `listening otlp=127.0.0.1:PORT api=127.0.0.1:PORT`
    public static func parse(_ line: String) -> Result<(Int, Int), TestFailure> {
        var ports: [String: Int] = [:]
        for field in line.split(separator: " ").dropFirst() {
            let parts = field.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let port = parts[1].split(separator: ":").last.flatMap({ Int($0) }) else { continue }
            ports[String(parts[0])] = port
        }
        guard let otlp = ports["otlp"], let api = ports["api"], otlp > 0, api > 0 else {
            return .failure(TestFailure("unexpected startup line: \(line)"))
        }
        return .success((otlp, api))
    }

    /// A test that fails before stopping its server must not leave the daemon running.
    deinit {
        if exit.current == nil { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// How the process ended.
    public struct Termination: Sendable, Equatable, CustomStringConvertible {
        /// Exit code, or the signal number when `bySignal`.
        public var status: Int32
        public var bySignal: Bool
        public var description: String { bySignal ? "killed by signal \(status)" : "exit \(status)" }

        public init(status: Int32, bySignal: Bool) {
            self.status = status
            self.bySignal = bySignal
        }
    }

    /// Sends `signal` and waits for the process to exit; past `timeout` it is SIGKILLed
    /// (and the termination says so).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(60)) async -> Termination {
        if exit.current == nil { kill(pid, signal) }
        let timer = Task { [pid, exit] in
            try? await Task.sleep(for: timeout)
            if exit.current == nil { kill(pid, SIGKILL) }
        }
        defer { timer.cancel() }
        let status = await exit.value
        return Termination(status: status, bySignal: process.terminationReason == .uncaughtSignal)
    }
}
