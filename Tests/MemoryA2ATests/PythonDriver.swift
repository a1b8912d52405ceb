import Contracts
import Foundation
import TestSupport

/// A Python driver script from `Tests/Drivers`, run with the project's `.venv` python (made
/// by `make venv` from requirements-dev.txt). A missing python or package is a test failure
/// naming the fix, never a skipped test.
enum PythonDriver {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python")

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Checks that the venv's python exists and imports `module`.
    static func require(module: String, package: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestFailure("\(python.path) is missing: run `make venv` (it installs \(package) from requirements-dev.txt)")
        }
        let probe = try await run(arguments: ["-c", "import \(module)"])
        guard probe.status == 0 else {
            throw TestFailure("\(package) is not installed in .venv (`import \(module)` failed): run `make venv`\n\(probe.stderr)")
        }
    }

    /// Runs `Tests/Drivers/<script>` with `arguments`.
    static func run(script: String, arguments: [String], in directory: URL) async throws -> Run {
        try await run(arguments: [root.appendingPathComponent("Tests/Drivers/\(script)").path] + arguments, in: directory)
    }

    /// Output goes to files, not pipes, so a chatty child cannot fill a pipe and stall.
    private static func run(arguments: [String], in directory: URL = FileManager.default.temporaryDirectory) async throws -> Run {
        let name = "driver-\(UUID().uuidString.prefix(8))"
        let out = directory.appendingPathComponent("\(name).out")
        let err = directory.appendingPathComponent("\(name).err")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let exit = OneShot<Int32>()
        process.terminationHandler = { exit.fulfill($0.terminationStatus) }
        try process.run()
        let status = await exit.value
        return Run(status: status, stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
