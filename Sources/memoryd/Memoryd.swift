import ArgumentParser
import DuckDB
import Foundation

@main
struct Memoryd: AsyncParsableCommand {
    static let version = "0.1.0"

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "memoryd",
            abstract: "Agent memory: OTLP and event ingest into DuckDB, served to agents.",
            version: "memoryd \(version) (DuckDB \(Database.libraryVersion))",
            subcommands: [Serve.self, MCP.self, Ingest.self, Replay.self, Query.self, Health.self, Demo.self, AlertsCommand.self, PlanCommand.self, EvidenceCommand.self,
                          RetentionCommand.self, AuditCommand.self, TokenCommand.self]
        )
    }

    /// CONTRACT.md's exit codes: 0 ok, 1 runtime failure, 2 bad usage or config, with one line.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            fail(error.description, code: 2)
        } catch let error as UsageError {
            fail(error.description, code: 2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            } else if code == .validationFailure || error is ValidationError {
                fail(message(for: error), code: 2)
            } else if let exitCode = error as? ExitCode {
                Foundation.exit(exitCode.rawValue)
            } else {
                fail("\(error)", code: 1)
            }
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let line = message.split(separator: "\n").first.map(String.init) ?? message
        FileHandle.standardError.write(Data("memoryd: \(line)\n".utf8))
        Foundation.exit(code)
    }
}

/// A command used wrongly in a way the argument parser cannot see (exit code 2).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
