import ArgumentParser
import Foundation
import MemoryStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The tamper-evident audit log.",
        subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the audit chain; exit 1 naming the first bad seq.",
            discussion: """
                Checks every audit_log row from the newest pruning checkpoint: seqs without gap or \
                repeat, each prev_hash equal to the row before's hash, each hash the SHA-256 of its \
                row, the last row equal to the recorded head. Opens the store read-only: stop the \
                daemon first (the ops gate checks the chain while it runs).
                """)

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let configuration = try options.configuration()
            let store = try Store(readingExisting: configuration.databasePath)
            let result = try AuditLog.verify(store: store)
            if json {
                var object: [String: Any] = ["intact": result.intact, "rows": result.rows, "checkpoint_seq": result.checkpointSeq,
                                             "head_seq": result.headSeq, "head_hash": result.headHash]
                if let bad = result.firstBadSeq { object["first_bad_seq"] = bad }
                if let problem = result.problem { object["problem"] = problem }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(result.description)
            }
            if !result.intact {
                if !json { FileHandle.standardError.write(Data("memoryd: \(result.description)\n".utf8)) }
                throw ExitCode.failure
            }
        }
    }
}

/// Audit rows for the CLI's mutating commands (actor `local`, surface `cli`).
enum CommandAudit {
    /// Appends one row to `audit` (the command's one log: the log keeps the chain's head in
    /// memory, so a command never has two) and waits for its commit; the command's arguments
    /// are only digested.
    static func record(_ audit: AuditLog, operation: String, target: String? = nil, arguments: [String] = CommandLine.arguments,
                       outcome: String = "ok", rowCounts: [String: Int] = [:]) throws {
        try audit.appendNow(AuditEntry(
            actor: "local", surface: "cli", operation: operation, target: target,
            argumentsDigest: AuditDigest.sha256Hex(arguments.joined(separator: "\u{0}")),
            outcome: outcome, rowCounts: rowCounts))
    }
}
