import ArgumentParser
import Contracts
import Foundation
import MemoryIngest
import MemoryStore
import Redaction
import ServiceLifecycle
import Synchronization

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest watcher event envelope files (JSON lines) into the store, exactly once.",
        discussion: """
            Each PATH is a .jsonl file, a directory (its .jsonl files, recursively), or - for \
            stdin. A file resumes from its checkpoint, so running this again adds nothing new; a \
            rotated or replaced file is read from the start. Redelivered envelopes (same source \
            and id) are skipped; lines that do not conform go to ingest_rejects. With --follow, \
            appended lines are read as they arrive (rotation and truncation included) until \
            SIGINT or SIGTERM; either signal stops any ingest after the chunk being read is \
            committed (from stdin, with every whole line already read; its line says so). Progress is shown on stderr when it is a terminal. Opens the store for \
            writing: stop the daemon first.
            """)

    @OptionGroup var options: StoreOptions

    @Flag(help: "Keep reading the files (and new .jsonl files in the directories) as lines are appended.")
    var follow = false

    @Argument(help: "Envelope files or directories, or - for stdin.")
    var paths: [String]

    func run() async throws {
        var inputs: [EnvelopeFileService.Input] = []
        for path in paths {
            if path == "-" {
                guard !follow else { throw UsageError("--follow tails files and directories; - (stdin) is read to its end without it") }
                inputs.append(.standardInput)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError("no such file or directory: \(path)")
            }
            inputs.append(isDirectory.boolValue ? .directory(path) : .file(path))
        }

        let configuration = try options.configuration()
        let logger = configuration.bootstrapLogging()
        let store = try Store(path: configuration.databasePath,
                              threads: configuration.duckdbThreads > 0 ? configuration.duckdbThreads : nil,
                              memoryLimit: configuration.duckdbMemoryLimit)
        let ingestor = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(),
                                            redactor: try configuration.makeRedactor())
        let progress = ProgressDisplay()
        ingestor.onProgress = { progress.update($0) }
        let totals = Mutex(Totals())
        let follow = follow
        let service = EnvelopeFileService(
            ingestor: ingestor, store: store, inputs: inputs, configuration: .init(follow: follow),
            report: { summary in
                progress.clear()
                // Unbuffered: a supervisor following the output sees each pass as it commits.
                FileHandle.standardOutput.write(Data((Self.line(summary) + "\n").utf8))
                totals.withLock { $0.add(summary) }
            },
            derived: { result, took in totals.withLock { $0.derived.add(result); $0.deriving += took } })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        let clock = ContinuousClock()
        let started = clock.now
        try await group.run()
        let took = clock.now - started
        progress.clear()
        let final = totals.withLock { $0 }
        if follow {
            for summary in final.order.compactMap({ final.bySource[$0] }) { print("total " + Self.line(summary)) }
        }
        let derived = final.derived
        print("derived: \(derived.guardOutcomes) guard outcomes, \(derived.transitions) transitions, "
              + "\(derived.facts) facts, \(derived.runs) runs updated in \(String(format: "%.2f", Self.seconds(final.deriving))) s")
        let lines = final.bySource.values.reduce(0) { $0 + $1.lines }
        let reading = Self.seconds(took - final.deriving)
        print("ingested \(lines) lines in \(String(format: "%.2f", reading)) s (\(Int(Double(lines) / max(reading, 1e-6))) lines/s)")
        try CommandAudit.record(AuditLog(store: store), operation: "ingest", target: paths.count == 1 ? paths[0] : nil, rowCounts: [
            "lines": lines, "stored": final.bySource.values.reduce(0) { $0 + $1.stored },
            "rejected": final.bySource.values.reduce(0) { $0 + $1.rejected }])
    }

    /// What a run added, per source, for the closing lines.
    private struct Totals {
        var bySource: [String: EnvelopeIngestor.Summary] = [:]
        var order: [String] = []
        var derived = RunDeriver.Result()
        var deriving = Duration.zero

        mutating func add(_ summary: EnvelopeIngestor.Summary) {
            if bySource[summary.source] == nil {
                order.append(summary.source)
                bySource[summary.source] = summary
            } else {
                bySource[summary.source]?.add(summary)
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func line(_ s: EnvelopeIngestor.Summary) -> String {
        var text = "\(s.source): \(s.lines) lines, \(s.stored) stored, \(s.duplicates) duplicates, "
            + "\(s.rejected) rejected, \(s.unknownTopics) unknown topics"
        if s.resumedAt > 0 { text += ", resumed at byte \(s.resumedAt)" }
        if s.pendingBytes > 0 { text += ", \(s.pendingBytes) bytes of an unfinished last line left for the next run" }
        if s.stoppedBeforeEnd { text += ", stopped before the end of the stream (\(s.droppedBytes) bytes of an unfinished line dropped)" }
        return text
    }
}

extension RunDeriver.Result {
    /// Adds a later derive pass's counts.
    mutating func add(_ other: RunDeriver.Result) {
        guardOutcomes += other.guardOutcomes
        transitions += other.transitions
        facts += other.facts
        runs += other.runs
    }
}
