import Foundation
import MemoryStore
import ServiceLifecycle

/// `memoryd ingest`: reads envelope files (named files, the `.jsonl` files of directories,
/// stdin) once, or with `follow` keeps tailing them until a graceful shutdown (SIGINT,
/// SIGTERM), deriving the run tables as rows arrive.
///
/// Following keeps each file open between passes, so rotation loses nothing: when the path
/// names another file (renamed away and recreated, or replaced), the open file's tail is read
/// first, then the new file from its start; a file that became shorter than what was read
/// (truncated, `copytruncate`) is read again from 0; a path that disappears is waited for.
/// Each pass commits what it read before the next one starts, and a shutdown stops after the
/// chunk being read is committed.
public final class EnvelopeFileService: Service, @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Keep tailing the inputs (`--follow`). Default false: one pass.
        public var follow: Bool
        /// Pause between passes when following. Default 250 ms.
        public var pollInterval: Duration
        /// Least time between two derive passes while following. Default 1 s.
        public var deriveInterval: Duration

        public init(follow: Bool = false, pollInterval: Duration = .milliseconds(250), deriveInterval: Duration = .seconds(1)) {
            self.follow = follow
            self.pollInterval = pollInterval
            self.deriveInterval = deriveInterval
        }
    }

    public enum Input: Sendable, Equatable {
        case file(String)
        /// Its `.jsonl` files, recursively; listed again on every pass when following.
        case directory(String)
        case standardInput
    }

    // Touched only by `run()`, one task.
    private let ingestor: EnvelopeIngestor
    private let store: Store
    private let inputs: [Input]
    private let configuration: Configuration
    private let report: @Sendable (EnvelopeIngestor.Summary) -> Void
    private let derived: @Sendable (RunDeriver.Result, Duration) -> Void
    private var cursors: [String: EnvelopeIngestor.FileCursor] = [:]

    /// `report` gets each source's summary after each pass that read it; `derived` each derive
    /// pass's result and how long it took.
    public init(ingestor: EnvelopeIngestor, store: Store, inputs: [Input], configuration: Configuration,
                report: @escaping @Sendable (EnvelopeIngestor.Summary) -> Void,
                derived: @escaping @Sendable (RunDeriver.Result, Duration) -> Void) {
        self.ingestor = ingestor
        self.store = store
        self.inputs = inputs
        self.configuration = configuration
        self.report = report
        self.derived = derived
    }

    public func run() async throws {
        ingestor.shouldStop = { Task.isShuttingDownGracefully || Task.isCancelled }
        let deriver = try store.connect()
        let clock = ContinuousClock()
        var lastDerive = clock.now - configuration.deriveInterval
        var underived = false
        while true {
            underived = try pass() || underived
            let stopping = !configuration.follow || Task.isShuttingDownGracefully || Task.isCancelled
            if underived, stopping || clock.now - lastDerive >= configuration.deriveInterval {
                let started = clock.now
                let result = try RunDeriver.refresh(on: deriver)
                lastDerive = clock.now
                derived(result, lastDerive - started)
                underived = false
            }
            if stopping { break }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.pollInterval) }
        }
        cursors.removeAll()
    }

    /// One pass over every input; true when anything was read.
    private func pass() throws -> Bool {
        var anything = false
        func note(_ summary: EnvelopeIngestor.Summary, always: Bool) {
            if summary.lines > 0 { anything = true }
            if always || summary.lines > 0 { report(summary) }
        }
        for input in inputs {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            switch input {
            case .standardInput:
                note(try ingestor.ingestStream(named: "stdin") { try FileHandle.standardInput.read(upToCount: 1 << 20) }, always: true)
            case .file(let path):
                try read(path) { note($0, always: $1) }
            case .directory(let path):
                for file in EnvelopeIngestor.envelopeFiles(in: path) {
                    if Task.isShuttingDownGracefully || Task.isCancelled { break }
                    try read(file) { note($0, always: $1) }
                }
            }
        }
        return anything
    }

    /// Reads what is new in the file at `path`: the open file's tail first, then (after a
    /// rotation) the file the path names now.
    private func read(_ path: String, _ note: (EnvelopeIngestor.Summary, Bool) -> Void) throws {
        let source = EnvelopeIngestor.source(of: path)
        if let cursor = cursors[source] {
            _ = try cursor.restartIfTruncated()
            note(try ingestor.ingest(cursor), false)
            let current = EnvelopeIngestor.identity(at: source)
            // Same file, or none yet after a rename: keep reading this one.
            guard let current, current != cursor.identity else { return }
            cursors[source] = nil
        } else if EnvelopeIngestor.identity(at: source) == nil {
            return  // deleted since it was listed or named; following waits for it
        }
        let cursor = try ingestor.open(source)
        // A newly opened file is always reported, so every input named gets its line.
        note(try ingestor.ingest(cursor), true)
        if configuration.follow { cursors[source] = cursor }
    }
}
