import ArgumentParser
import Contracts
import Foundation
import MemoryIngest
import MemoryStore
import Redaction

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest watcher event envelope files (JSON lines) into the store, exactly once.",
        discussion: """
            Each PATH is a .jsonl file, a directory (its .jsonl files, recursively), or - for \
            stdin. A file resumes from its checkpoint, so running this again adds nothing new; a \
            rotated or replaced file is read from the start. Redelivered envelopes (same source \
            and id) are skipped; lines that do not conform go to ingest_rejects. Opens the store \
            for writing: stop the daemon first.
            """)

    @OptionGroup var options: StoreOptions

    @Argument(help: "Envelope files or directories, or - for stdin.")
    var paths: [String]

    func run() throws {
        var sources: [String?] = []  // nil: stdin
        for path in paths {
            if path == "-" {
                sources.append(nil)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError("no such file or directory: \(path)")
            }
            for file in isDirectory.boolValue ? EnvelopeIngestor.envelopeFiles(in: path) : [path] { sources.append(file) }
        }

        let configuration = try options.configuration()
        let store = try Store(path: configuration.databasePath,
                              threads: configuration.duckdbThreads > 0 ? configuration.duckdbThreads : nil,
                              memoryLimit: configuration.duckdbMemoryLimit)
        let ingestor = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(),
                                            redactor: configuration.redactionEnabled ? Redactor() : nil)
        for source in sources {
            let summary: EnvelopeIngestor.Summary
            if let source {
                summary = try ingestor.ingestFile(at: source)
            } else {
                summary = try ingestor.ingestStream(named: "stdin") {
                    try FileHandle.standardInput.read(upToCount: 1 << 20)
                }
            }
            print(Self.line(summary))
        }
        let derived = try RunDeriver.refresh(on: store.connect())
        print("derived: \(derived.guardOutcomes) guard outcomes, \(derived.transitions) transitions, "
              + "\(derived.facts) facts, \(derived.runs) runs updated")
    }

    static func line(_ s: EnvelopeIngestor.Summary) -> String {
        var text = "\(s.source): \(s.lines) lines, \(s.stored) stored, \(s.duplicates) duplicates, "
            + "\(s.rejected) rejected, \(s.unknownTopics) unknown topics"
        if s.resumedAt > 0 { text += ", resumed at byte \(s.resumedAt)" }
        if s.pendingBytes > 0 { text += ", \(s.pendingBytes) bytes of an unfinished last line left for the next run" }
        return text
    }
}
