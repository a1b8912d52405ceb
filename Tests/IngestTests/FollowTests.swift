import Foundation
import MemoryIngest
import MemoryStore
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing

/// `--follow`: appended lines, rotation and truncation, each line stored exactly once.
@Suite struct FollowTests {
    private let lines: [Data]

    init() throws { lines = try Fixtures.lines("clean.jsonl") }

    private func text(_ range: Range<Int>) -> Data { Data(lines[range].joined()) }

    /// Runs a following service over `inputs` while `body` changes the files, then stops it
    /// gracefully; returns what it reported.
    private func follow(_ scratch: Scratch, _ inputs: [EnvelopeFileService.Input],
                        _ body: @escaping @Sendable (Scratch) async throws -> Void) async throws -> [EnvelopeIngestor.Summary] {
        let reports = Reports()
        let service = EnvelopeFileService(
            ingestor: try scratch.ingestor(chunkLines: 7), store: scratch.store, inputs: inputs,
            configuration: .init(follow: true, pollInterval: .milliseconds(20), deriveInterval: .milliseconds(100)),
            report: { reports.add($0) }, derived: { _, _ in })
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                // The service is a sibling of the body, so a service that fails ends the test
                // with its own error instead of leaving the body waiting for rows.
                group.addTask { try await service.run(); return false }
                group.addTask { try await body(scratch); return true }
                let bodyFinished = try await group.next()!
                #expect(bodyFinished, "the service stopped before the body was done")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        return reports.all
    }

    /// Waits until the store holds `count` events. The bound is a hang guard only: under a full
    /// parallel test run a poll loop can wait tens of seconds for a thread.
    private func waitForEvents(_ scratch: Scratch, _ count: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while try scratch.int("SELECT count(*) FROM events") != count {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("waited 120 s for \(count) events, have \(try scratch.int("SELECT count(*) FROM events"))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func appendedLinesAreReadAsTheyArrive() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(text(0..<10), to: "events.jsonl")
        let reports = try await follow(scratch, [.file(path)]) { scratch in
            try await waitForEvents(scratch, 10)
            try scratch.append(text(10..<25), to: path)
            try await waitForEvents(scratch, 25)
            // A line written in two parts is read once it is whole.
            let line = lines[25]
            try scratch.append(line.prefix(100), to: path)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try scratch.int("SELECT count(*) FROM events") == 25)
            try scratch.append(line.suffix(from: line.startIndex + 100), to: path)
            try await waitForEvents(scratch, 26)
        }
        #expect(reports.reduce(0) { $0 + $1.stored } == 26)
        #expect(reports.reduce(0) { $0 + $1.duplicates + $1.rejected } == 0)
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints") == Int64(text(0..<26).count))
        #expect(try scratch.int("SELECT count(DISTINCT line) FROM events") == 26)
    }

    @Test func rotationFinishesTheOldFileThenReadsTheNewOne() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(text(0..<10), to: "events.jsonl")
        _ = try await follow(scratch, [.file(path)]) { scratch in
            try await waitForEvents(scratch, 10)
            // The producer writes more, the file is renamed, the producer writes to it once more
            // (it still has it open), then a new file appears at the path.
            try scratch.append(text(10..<15), to: path)
            try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
            try scratch.append(text(15..<20), to: path + ".1")
            try await Task.sleep(for: .milliseconds(100))
            try scratch.write(text(20..<30), to: "events.jsonl")
            try await waitForEvents(scratch, 30)
            // Replaced by rename over it (a new inode at once).
            try scratch.write(text(30..<40), to: "events.jsonl.tmp")
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
            try await waitForEvents(scratch, 40)
        }
        #expect(try scratch.int("SELECT count(*) FROM events") == 40)
        #expect(try scratch.int("SELECT count(DISTINCT id) FROM events") == 40)
        // Each file's lines are numbered from 1: three files started at line 1.
        #expect(try scratch.int("SELECT count(*) FROM events WHERE line = 1 AND byte_offset = 0") == 3)
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints") == Int64(text(30..<40).count))
    }

    @Test func truncatedFileIsReadAgainFromItsStart() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(text(0..<20), to: "events.jsonl")
        _ = try await follow(scratch, [.file(path)]) { scratch in
            try await waitForEvents(scratch, 20)
            // copytruncate: the content was copied away, the file emptied in place, then written on.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: 0)
            try handle.close()
            try await Task.sleep(for: .milliseconds(100))
            try scratch.append(text(20..<25), to: path)
            try await waitForEvents(scratch, 25)
        }
        #expect(try scratch.int("SELECT count(*) FROM events") == 25)
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints") == Int64(text(20..<25).count))
    }

    @Test func newFilesInADirectoryAreFollowed() async throws {
        let scratch = try Scratch()
        let directory = scratch.directory.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try text(0..<10).write(to: directory.appendingPathComponent("a.jsonl"))
        let reports = try await follow(scratch, [.directory(directory.path)]) { scratch in
            try await waitForEvents(scratch, 10)
            try text(10..<20).write(to: directory.appendingPathComponent("b.jsonl"))
            try text(20..<60).write(to: directory.appendingPathComponent("ignored.txt"))
            try await waitForEvents(scratch, 20)
            try scratch.append(text(20..<30), to: directory.appendingPathComponent("a.jsonl").path)
            try await waitForEvents(scratch, 30)
        }
        #expect(Set(reports.map { ($0.source as NSString).lastPathComponent }) == ["a.jsonl", "b.jsonl"])
        #expect(try scratch.int("SELECT count(*) FROM ingest_checkpoints") == 2)
    }

    @Test func stoppingMidFileCommitsWhatWasRead() async throws {
        let scratch = try Scratch()
        // Enough lines for many chunks of 7.
        let path = try scratch.write(Data(repeating: 0, count: 0), to: "events.jsonl")
        var many = Data()
        for copy in 0..<20 {
            for line in lines {
                let text = String(decoding: line, as: UTF8.self).replacingOccurrences(of: "\"id\": \"", with: "\"id\": \"c\(copy)-")
                    .replacingOccurrences(of: "\"run-", with: "\"run-c\(copy)-")
                many.append(Data(text.utf8))
            }
        }
        try scratch.append(many, to: path)
        let ingestor = try scratch.ingestor(chunkLines: 7)
        let service = EnvelopeFileService(
            ingestor: ingestor, store: scratch.store, inputs: [.file(path)],
            configuration: .init(follow: true), report: { _ in }, derived: { _, _ in })
        try await testGracefulShutdown { trigger in
            // A shutdown once the second chunk is committed, while the third is read and checked:
            // the pass stops after committing the third (the chunk being read), none later.
            ingestor.onProgress = { if $0.lines >= 14 { trigger.triggerGracefulShutdown() } }
            try await service.run()
        }
        #expect(try scratch.int("SELECT count(*) FROM events") == 21)
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints")
            == Int64(many.split(separator: 0x0A).prefix(21).reduce(0) { $0 + $1.count + 1 }))
        // The rest is read by the next run, nothing twice.
        _ = try scratch.ingestor().ingestFile(at: path)
        #expect(try scratch.int("SELECT count(*) FROM events") == Int64(lines.count * 20))
        #expect(try scratch.int("SELECT count(*) FROM ingest_rejects") == 0)
    }
}

/// What a following service reported, collected across its task.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var summaries: [EnvelopeIngestor.Summary] = []

    func add(_ summary: EnvelopeIngestor.Summary) { lock.withLock { summaries.append(summary) } }
    var all: [EnvelopeIngestor.Summary] { lock.withLock { summaries } }
}
