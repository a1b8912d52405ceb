import Foundation
@testable import memoryd

/// Writes `text` to a fresh `memoryd.toml` and returns its path.
func tomlFile(_ text: String) throws -> String {
    // Letters only, so numbers in an error message come from the message, not the path.
    let name = String((0..<16).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-tests-\(name)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent("memoryd.toml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Loads `text` as the configuration file with the given environment.
func load(toml text: String, environment: [String: String] = [:]) throws -> MemorydConfiguration {
    let path = try tomlFile(text)
    defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
    return try MemorydConfiguration.load(file: path, environment: environment)
}

/// The configuration error `body` throws (nil, and a recorded issue, when it does not throw one).
func configurationError(_ body: () throws -> MemorydConfiguration) -> ConfigurationError? {
    do {
        _ = try body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        return nil
    }
}
