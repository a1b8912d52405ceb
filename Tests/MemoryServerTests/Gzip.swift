import Foundation
import TestSupport

/// gzip through the system's /usr/bin/gzip, independent of the product's inflater.
enum Gzip {
    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        try run(["-c", "-n"], input: bytes)
    }

    static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        try run(["-dc"], input: bytes)
    }

    /// `count` zero bytes, gzipped at level 9: about a thousandth of `count` on the wire.
    static func bomb(inflatedSize count: Int) throws -> [UInt8] {
        try shell("head -c \(count) /dev/zero | /usr/bin/gzip -9 -c -n")
    }

    private static func run(_ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("memoryd-gzip-\(UUID().uuidString)")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try shell("/usr/bin/gzip \(arguments.joined(separator: " ")) '\(file.path)'")
    }

    private static func shell(_ command: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("`\(command)` exited \(process.terminationStatus)") }
        return [UInt8](data)
    }
}
