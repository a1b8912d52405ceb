import Contracts
import Foundation
import MemoryStore
import Redaction

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads watcher envelope streams (JSON lines), checks each line against the pinned contracts,
/// and stores accepted envelopes in `events` and refused lines in `ingest_rejects`, one
/// transaction per chunk of lines. A file's checkpoint commits with its rows, so re-running
/// resumes where the last commit ended and a crash never stores a line twice.
public final class EnvelopeIngestor {
    /// What one source contributed in one run.
    public struct Summary: Sendable, Equatable {
        public var source: String
        /// Where this run started reading (a file's checkpoint; 0 for a new file or a stream).
        public var resumedAt: Int64 = 0
        public var lines = 0
        /// Bytes of whole lines consumed (from `resumedAt`).
        public var bytes: Int64 = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected = 0
        public var unknownTopics = 0
        /// Bytes of an unfinished last line (no newline, not JSON) left for the next run: the
        /// producer may still be writing it.
        public var pendingBytes: Int64 = 0
        /// A stream (no checkpoint to resume from) stopped by a shutdown before its end: what
        /// followed was not read, and `droppedBytes` of a line read only in part were dropped.
        public var stoppedBeforeEnd = false
        public var droppedBytes: Int64 = 0

        public init(source: String) { self.source = source }

        /// Adds a later pass over the same source (`--follow`).
        public mutating func add(_ other: Summary) {
            lines += other.lines
            bytes += other.bytes
            stored += other.stored
            duplicates += other.duplicates
            rejected += other.rejected
            unknownTopics += other.unknownTopics
            pendingBytes = other.pendingBytes
            stoppedBeforeEnd = other.stoppedBeforeEnd
            droppedBytes += other.droppedBytes
        }
    }

    /// How far the current source has got, reported after every committed chunk.
    public struct Progress: Sendable, Equatable {
        public var source: String
        /// Lines and bytes committed so far in this pass.
        public var lines: Int
        public var bytes: Int64
        /// The file's size when the pass began (nil for a stream).
        public var size: Int64?
        /// Where the pass began in the file.
        public var startedAt: Int64

        public init(source: String, lines: Int, bytes: Int64, size: Int64?, startedAt: Int64) {
            self.source = source
            self.lines = lines
            self.bytes = bytes
            self.size = size
            self.startedAt = startedAt
        }
    }

    /// An open envelope file and how far it has been read; `--follow` keeps one per path
    /// between passes, so a renamed file's tail is still read from the file it was.
    public final class FileCursor {
        /// The checkpoint key: the standardized path.
        public let source: String
        /// Device and inode of the open file.
        public let identity: String
        let handle: FileHandle
        /// The byte offset after the last whole line processed.
        public fileprivate(set) var position: Int64
        fileprivate var nextLine: Int64
        /// The position the stored checkpoint holds for this file, nil when it holds another file's.
        fileprivate var committed: Int64?

        fileprivate init(source: String, identity: String, handle: FileHandle, position: Int64, nextLine: Int64, committed: Int64?) {
            self.source = source
            self.identity = identity
            self.handle = handle
            self.position = position
            self.nextLine = nextLine
            self.committed = committed
        }

        deinit { try? handle.close() }

        /// The open file's current size.
        public func size() throws -> Int64 {
            var info = stat()
            guard fstat(handle.fileDescriptor, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            return Int64(info.st_size)
        }

        /// After a truncation (`copytruncate` rotation: the file is now shorter than what was
        /// read), the file is read again from its start. True when it was.
        public func restartIfTruncated() throws -> Bool {
            guard try size() < position else { return false }
            position = 0
            nextLine = 1
            return true
        }
    }

    /// Lines longer than this are rejected (`huge_line`) without being parsed.
    public static let maxLineBytes = 1 << 20
    /// Characters of a rejected line kept in `ingest_rejects.excerpt`.
    public static let excerptCharacters = 256
    static let readBlockBytes = 1 << 20

    private let writer: EventWriter
    private let checker: LineChecker
    private let chunkLines: Int

    /// Called after every committed chunk (the progress display of `memoryd ingest`).
    public var onProgress: ((Progress) -> Void)?
    /// Asked after every committed chunk: true stops the pass there, everything read committed.
    public var shouldStop: () -> Bool = { false }

    /// `redactor` scrubs payloads and reject excerpts before they are stored; nil stores them
    /// as received.
    public init(store: Store, contracts: ContractRegistry, redactor: Redactor?, chunkLines: Int = 5_000) throws {
        writer = try EventWriter(store: store, initialRunState: contracts.runStates.initial)
        checker = LineChecker(contracts: contracts, redactor: redactor)
        self.chunkLines = chunkLines
    }

    /// The `.jsonl` files under `directory`, recursively, in path order.
    public static func envelopeFiles(in directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".jsonl") { files.append((directory as NSString).appendingPathComponent(relative)) }
        }
        return files.sorted()
    }

    /// The checkpoint key of a path.
    public static func source(of path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Device and inode of the file at `path` now, nil when there is none.
    public static func identity(at path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }

    /// Ingests a file from its checkpoint; from the start when the file at `path` is not the one
    /// the checkpoint was taken on (rotated, replaced) or is shorter than it (truncated).
    public func ingestFile(at path: String) throws -> Summary {
        let cursor = try open(path)
        return try ingest(cursor)
    }

    /// Opens the file at `path` positioned at its checkpoint (or at 0, as `ingestFile` says).
    public func open(_ path: String) throws -> FileCursor {
        let source = Self.source(of: path)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
        // Identity and size of the file actually opened, not of whatever the path names now.
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0 else {
            try? handle.close()
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        let identity = "\(info.st_dev):\(info.st_ino)"
        let checkpoint = try writer.checkpoint(source: source)
        var start: Int64 = 0
        if let checkpoint, checkpoint.identity == identity, checkpoint.position <= Int64(info.st_size) {
            start = checkpoint.position
        }
        let firstLine = try Self.lineCount(handle, upTo: start) + 1
        let current = EventWriter.FileCheckpoint(position: start, identity: identity)
        return FileCursor(source: source, identity: identity, handle: handle, position: start, nextLine: firstLine,
                          committed: checkpoint == current ? start : nil)
    }

    /// Reads `cursor`'s file from its position to its end (or until `shouldStop`), committing
    /// as it goes; the cursor is left after the last whole line.
    public func ingest(_ cursor: FileCursor) throws -> Summary {
        try cursor.handle.seek(toOffset: UInt64(cursor.position))
        let handle = cursor.handle
        var reader = LineReader(maxLineBytes: Self.maxLineBytes, startingAt: cursor.position) {
            try handle.read(upToCount: Self.readBlockBytes)
        }
        return try ingest(&reader, source: cursor.source, file: cursor, size: try? cursor.size())
    }

    /// Ingests a stream that has no position to resume from (stdin, a request body): nothing
    /// is checkpointed, but envelopes stored before are still recognized and skipped. `read`
    /// returns the next bytes, nil or empty at the end.
    public func ingestStream(named source: String, read: @escaping () throws -> Data?) throws -> Summary {
        var reader = LineReader(maxLineBytes: Self.maxLineBytes, startingAt: 0, read: read)
        return try ingest(&reader, source: source, file: nil, size: nil)
    }

    // MARK: The loop

    /// `file`: the cursor of the file being read (its position and line number move with the
    /// commits); nil for a stream. Lines are gathered a chunk at a time and checked in parallel
    /// (each line's checks are independent) while the previous chunk commits on the
    /// committer's thread; chunks commit one at a time, in order. A stop (`shouldStop`) is
    /// honoured once the chunk being read is committed: always, not only for a stream (which has
    /// no checkpoint, so what it consumed is committed now or lost) — a file's chunk is checked
    /// already, and committing it costs no more than reading it again next time. A stream also
    /// commits the whole lines it has buffered; only a partial line is dropped, and reported.
    private func ingest(_ reader: inout LineReader, source: String, file: FileCursor?, size: Int64?) throws -> Summary {
        var summary = Summary(source: source)
        let startedAt = reader.position
        summary.resumedAt = startedAt
        var lines: [LineReader.Line] = []
        lines.reserveCapacity(chunkLines)
        var position = reader.position
        var lineNumber = file?.nextLine ?? 1
        let committer = Committer(writer: writer, checker: checker)
        var stopped = false

        /// Checks the gathered lines, which end at `position`, into a chunk to commit.
        func prepare() -> Chunk {
            let outcomes = classify(lines, source: source, firstNumber: lineNumber - Int64(lines.count))
            var chunk = Chunk(lines: lines, end: position, nextLine: lineNumber,
                              checkpoint: file.map { ($0.source, EventWriter.FileCheckpoint(position: position, identity: $0.identity)) })
            chunk.events.reserveCapacity(lines.count)
            for (i, outcome) in outcomes.enumerated() {
                switch outcome {
                case .blank: break
                case .event(let row):
                    chunk.events.append(row)
                    chunk.eventLines.append(i)
                case .reject(let row): chunk.rejects.append(row)
                }
            }
            lines.removeAll(keepingCapacity: true)
            return chunk
        }

        /// Takes in a committed chunk.
        func finish(_ done: (chunk: Chunk, result: EventWriter.CommitResult)?) {
            guard let (chunk, result) = done else { return }
            summary.lines += chunk.lines.count
            summary.stored += result.stored
            summary.duplicates += result.duplicates
            summary.unknownTopics += result.unknownTopics
            summary.rejected += result.rejected
            summary.bytes = chunk.end - startedAt
            file?.committed = chunk.end
            file?.position = chunk.end
            file?.nextLine = chunk.nextLine
            onProgress?(Progress(source: source, lines: summary.lines, bytes: summary.bytes, size: size, startedAt: startedAt))
        }

        while let line = try reader.next() {
            // A file's unfinished last line may still be being written: leave it for the next
            // run unless it is a whole JSON value already. A stream that ended is complete.
            if !line.isTerminated, file != nil, line.isTooLong || (try? JSONValue(parsing: line.bytes)) == nil {
                summary.pendingBytes = line.length
                break
            }
            lines.append(line)
            position = line.end
            lineNumber += 1
            if lines.count >= chunkLines {
                let chunk = prepare()
                finish(try committer.wait())
                committer.start(chunk)
                if shouldStop() {
                    stopped = true
                    break
                }
            }
        }
        finish(try committer.wait())
        if stopped, file == nil {
            // Lines the stream gave already are committed, without reading (and waiting for) more.
            while let line = reader.nextBuffered() {
                lines.append(line)
                position = line.end
                lineNumber += 1
            }
            summary.stoppedBeforeEnd = !reader.isAtEnd
            summary.droppedBytes = reader.bufferedBytes
        }
        // A file's checkpoint is written even when no line was read (a new, replaced or empty
        // file), so the next run knows which file it belongs to.
        if !lines.isEmpty || (file != nil && file?.committed != position) {
            committer.start(prepare())
            finish(try committer.wait())
        }
        return summary
    }

    /// Checked lines ready to commit.
    private struct Chunk: Sendable {
        let lines: [LineReader.Line]
        /// The position after the chunk's last line, and the number of the line after it.
        let end: Int64
        let nextLine: Int64
        let checkpoint: (source: String, EventWriter.FileCheckpoint)?
        var events: [EventRow] = []
        /// The index in `lines` of each event.
        var eventLines: [Int] = []
        var rejects: [RejectRow] = []
    }

    /// Commits chunks on a thread of its own, one at a time, so the next chunk is checked
    /// meanwhile. Driven by one thread: `start`, then `wait` before the next `start`.
    private final class Committer: @unchecked Sendable {
        private let writer: EventWriter
        private let checker: LineChecker
        private let queue = DispatchQueue(label: "memoryd.envelopes.commit")
        private let done = DispatchSemaphore(value: 0)
        // Written on `queue` before `done` is signalled, read after waiting for it.
        private var outcome: Result<(chunk: Chunk, result: EventWriter.CommitResult), any Error>?
        private var inFlight = false

        init(writer: EventWriter, checker: LineChecker) {
            self.writer = writer
            self.checker = checker
        }

        func start(_ chunk: Chunk) {
            inFlight = true
            queue.async { [self] in
                outcome = Result {
                    let result = try writer.commit(
                        events: chunk.events, rejects: chunk.rejects, checkpoint: chunk.checkpoint,
                        excerpt: { [checker] in checker.excerpt(chunk.lines[chunk.eventLines[$0]].bytes) })
                    return (chunk, result)
                }
                done.signal()
            }
        }

        /// The chunk in flight once committed (rethrowing its failure); nil when none is.
        func wait() throws -> (chunk: Chunk, result: EventWriter.CommitResult)? {
            guard inFlight else { return nil }
            done.wait()
            inFlight = false
            defer { outcome = nil }
            return try outcome?.get()
        }
    }

    /// The outcome of each line, `firstNumber` being the first one's line number: on all cores
    /// for a large chunk.
    private func classify(_ lines: [LineReader.Line], source: String, firstNumber: Int64) -> [LineChecker.Outcome] {
        let checker = checker
        guard lines.count >= Self.parallelLines else {
            return lines.enumerated().map { checker.classify($1, source: source, number: firstNumber + Int64($0)) }
        }
        let slices = min(ProcessInfo.processInfo.activeProcessorCount, (lines.count + Self.parallelLines - 1) / Self.parallelLines)
        return [LineChecker.Outcome](unsafeUninitializedCapacity: lines.count) { buffer, count in
            let out = OutcomeSlots(base: buffer.baseAddress!)
            // Each slice initializes its own range of the buffer.
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                for i in (lines.count * slice / slices)..<(lines.count * (slice + 1) / slices) {
                    (out.base + i).initialize(to: checker.classify(lines[i], source: source, number: firstNumber + Int64(i)))
                }
            }
            count = lines.count
        }
    }

    /// The result buffer the parallel checks write into, each index once.
    private struct OutcomeSlots: @unchecked Sendable {
        let base: UnsafeMutablePointer<LineChecker.Outcome>
    }

    /// Fewer lines than this are checked on the calling thread.
    static let parallelLines = 256

    /// Newlines in `bytes`, found with `memchr` (a resumed run counts every line before it).
    private static func newlines(in bytes: UnsafeRawBufferPointer) -> Int64 {
        guard var cursor = bytes.baseAddress else { return 0 }
        let end = cursor + bytes.count
        var count: Int64 = 0
        while cursor < end, let found = memchr(cursor, 0x0A, end - cursor) {
            count += 1
            cursor = UnsafeRawPointer(found) + 1
        }
        return count
    }

    /// Newlines before `offset`: the number of the line a resumed run starts at, minus one.
    private static func lineCount(_ handle: FileHandle, upTo offset: Int64) throws -> Int64 {
        guard offset > 0 else { return 0 }
        try handle.seek(toOffset: 0)
        var remaining = offset
        var count: Int64 = 0
        while remaining > 0, let block = try handle.read(upToCount: Int(min(remaining, Int64(readBlockBytes)))), !block.isEmpty {
            count += block.withUnsafeBytes { Self.newlines(in: $0) }
            remaining -= Int64(block.count)
        }
        return count
    }
}

/// The checks of one line, free of the ingestor's state so that lines are checked in parallel.
struct LineChecker: Sendable {
    let contracts: ContractRegistry
    let redactor: Redactor?

    enum Outcome: Sendable {
        case blank
        case event(EventRow)
        case reject(RejectRow)
    }

    /// What one line is: nothing (blank), an envelope to store, or a reject.
    func classify(_ line: LineReader.Line, source: String, number: Int64) -> Outcome {
        func reject(_ kind: String, _ reason: String) -> Outcome {
            .reject(RejectRow(ingestSource: source, line: number, byteOffset: line.offset, kind: kind, reason: reason,
                              excerpt: excerpt(line.bytes)))
        }
        if line.isTooLong {
            return reject("huge_line", "the line has \(line.length) bytes, more than the limit of \(EnvelopeIngestor.maxLineBytes)")
        }
        let envelope: JSONValue
        do {
            envelope = try JSONValue(parsing: line.bytes)
        } catch {
            switch error.kind {
            case .empty: return .blank
            case .syntax: return reject("not_json", error.description)
            case .invalidUTF8, .duplicateKey, .tooDeep: return reject(error.kind.rawValue, error.description)
            }
        }
        let check = contracts.validateEnvelope(envelope)
        if let violation = check.violations.first {
            return reject(violation.kind.rawValue, check.rejectReason ?? violation.description)
        }
        // The envelope schema guarantees the required members' types and the time's format.
        guard let producer = envelope["source"]?.stringValue, let id = envelope["id"]?.stringValue,
              let topic = check.topicName, let type = envelope["type"]?.stringValue,
              let time = envelope["time"]?.stringValue.flatMap(RFC3339Timestamp.init), let data = envelope["data"]
        else {
            return reject(ContractViolation.Kind.envelopeSchema.rawValue, "the envelope passed its schema but cannot be read")
        }
        var redactions: [Redaction] = []
        let dataText = RawJSON.memberValue(named: "data", in: line.bytes).map { String(decoding: line.bytes[$0], as: UTF8.self) }
            ?? data.jsonText
        return .event(EventRow(
            ingestSource: source, source: producer, id: id, topic: topic, type: type,
            timeMicros: time.epochSeconds * 1_000_000 + Int64(time.nanosecond / 1000),
            runID: envelope["run_id"]?.stringValue, packetID: envelope["packet_id"]?.stringValue,
            traceID: envelope["trace_id"]?.stringValue, partition: envelope["partition"]?.int64Value,
            offset: envelope["offset"]?.int64Value, dataschema: envelope["dataschema"]?.stringValue,
            data: redactor?.redactValue(dataText, path: "data", into: &redactions) ?? dataText,
            unknownTopic: check.isUnknownTopic, line: number, byteOffset: line.offset, redactions: redactions,
            transition: check.topic?.materialize == Self.transitionTable ? Self.step(data) : nil))
    }

    /// The table transition topics materialize into (`watcher/topics.v1.json`).
    static let transitionTable = "state_transitions"

    /// A transition payload's place in its run; nil without `seq` (nothing to order it by).
    private static func step(_ data: JSONValue) -> TransitionStep? {
        guard let run = data["run_id"]?.stringValue, let seq = data["seq"]?.int64Value,
              let from = data["from_state"]?.stringValue, let to = data["to_state"]?.stringValue else { return nil }
        return TransitionStep(runID: run, seq: seq, from: from, to: to)
    }

    /// The start of a rejected line, secrets replaced first (a cut could hide one from the
    /// detectors), then truncated.
    func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        var ignored: [Redaction] = []
        let redacted = redactor?.redactValue(text, path: "excerpt", into: &ignored) ?? text
        return String(redacted.prefix(EnvelopeIngestor.excerptCharacters))
    }

}
