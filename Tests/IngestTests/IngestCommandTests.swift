import Contracts
import Foundation
import MemoryStore
import TestSupport
import Testing

/// `memoryd ingest` as a user runs it: the real binary, signals, kill -9.
@Suite(.serialized) struct IngestCommandTests {
    /// `copies` of clean.jsonl with ids and run ids made unique per copy, then dirty.jsonl:
    /// tens of thousands of lines, transitions, guard outcomes, facts, rejects and the huge line.
    private static func largeFile(copies: Int) throws -> Data {
        let clean = String(decoding: try Fixtures.data("clean.jsonl"), as: UTF8.self)
        var text = ""
        text.reserveCapacity(clean.utf8.count * copies)
        for copy in 0..<copies {
            text += clean.replacingOccurrences(of: "\"id\": \"planner-7-", with: "\"id\": \"c\(copy)-planner-7-")
                .replacingOccurrences(of: "\"run-", with: "\"run-c\(copy)-")
        }
        return Data(text.utf8) + (try Fixtures.data("dirty.jsonl"))
    }

    /// Everything an ingest writes, less the wall-clock columns.
    private static func tables(_ path: String) throws -> [String] {
        let connection = try Store(path: path).connect()
        let raw = try [
            "SELECT * EXCLUDE (received_at) FROM events",
            "SELECT * EXCLUDE (received_at) FROM ingest_rejects",
            "SELECT * EXCLUDE (updated_at) FROM ingest_checkpoints",
            "SELECT * EXCLUDE (updated_at) FROM ingest_partitions",
            "SELECT * FROM run_sequence",
            "SELECT * EXCLUDE (redacted_at) FROM redactions",
            "SELECT * FROM memories",
            "SELECT * FROM memory_history",
        ].map { select in
            let row = try connection.query("""
                SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), '')) FROM (\(select)) t
                """).rows[0]
            return "\(select): \(row[0].int64 ?? -1) \(row[1].string ?? "")"
        }
        return try raw + RunDeriver.digests(on: connection).map { "\($0.table): \($0.rows) \($0.md5)" }
    }

    @Test func killedMidFileThenRerunEndsAsOneCleanRun() async throws {
        let scratch = try Scratch()
        let data = try Self.largeFile(copies: 400)
        let file = try scratch.write(data, to: "large.jsonl")
        let killed = scratch.directory.appendingPathComponent("killed.duckdb").path
        let clean = scratch.directory.appendingPathComponent("clean.duckdb").path

        let first = try IngestProcess(["--db", killed, file], in: scratch.directory)
        // DuckDB's log grows by ~2.7 MB with each chunk of 5,000 lines (the schema alone is far
        // less). A kill while a chunk's log is being written loses that chunk, as it should; past
        // two chunks' worth at least one commit is whole, so the run is killed mid-file.
        let deadline = ContinuousClock.now + .seconds(120)
        func walBytes() -> Int64 {
            var info = stat()
            return stat(killed + ".wal", &info) == 0 ? Int64(info.st_size) : 0
        }
        while walBytes() < 6 << 20 {
            guard ContinuousClock.now < deadline, first.process.isRunning else {
                throw TestFailure("no chunk committed before the kill; output:\n\(first.text)")
            }
            // A blocking pause: an awaiting task could wait out the whole ingest while other
            // suites' synchronous tests hold the cooperative threads.
            usleep(5_000)
        }
        let termination = await first.stop(SIGKILL)
        #expect(termination.bySignal && termination.status == SIGKILL)

        let second = try IngestProcess(["--db", killed, file], in: scratch.directory)
        #expect(await second.finished().status == 0)
        let resumed = second.text.split(separator: "\n").first { $0.contains("large.jsonl:") } ?? ""
        let at = resumed.split(separator: "resumed at byte ").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        #expect(at > 0 && at < data.count, "the second run resumes mid-file: \(second.text)")

        let reference = try IngestProcess(["--db", clean, file], in: scratch.directory)
        #expect(await reference.finished().status == 0)
        #expect(try Self.tables(killed) == Self.tables(clean))
        #expect(try Store(path: clean).connect().query("SELECT count(*) FROM events").rows[0][0].int64 == 400 * 60 + 61)
    }

    @Test func followStopsOnSIGINTWithEverythingCommitted() async throws {
        let scratch = try Scratch()
        let lines = try Fixtures.lines("clean.jsonl")
        let file = try scratch.write(Data(lines[0..<10].joined()), to: "events.jsonl")
        let db = scratch.directory.appendingPathComponent("follow.duckdb").path
        let ingest = try IngestProcess(["--db", db, "--follow", scratch.directory.path], in: scratch.directory)
        try await ingest.waitForLine("first pass") { $0.hasSuffix("events.jsonl: 10 lines, 10 stored, 0 duplicates, 0 rejected, 0 unknown topics") }
        try scratch.append(Data(lines[10..<60].joined()), to: file)
        try scratch.write(Data(lines[0..<5].joined()), to: "again.jsonl")  // redeliveries in a new file
        try await ingest.waitForLine("the appended lines") { $0.contains("events.jsonl: 50 lines, 50 stored") }
        try await ingest.waitForLine("the new file") { $0.contains("again.jsonl: 5 lines, 0 stored, 5 duplicates") }

        let termination = await ingest.stop(SIGINT)
        #expect(termination.status == 0 && !termination.bySignal, "\(ingest.text)")
        #expect(ingest.text.contains("total \(scratch.directory.path)/events.jsonl: 60 lines, 60 stored"))
        #expect(ingest.text.contains("derived: 10 guard outcomes, 40 transitions, 10 facts"))
        let store = try Store(path: db).connect()
        #expect(try store.query("SELECT count(*) FROM events").rows[0][0].int64 == 60)
        #expect(try store.query("SELECT count(*) FROM runs").rows[0][0].int64 == 10)
        #expect(try store.query("SELECT sum(position) FROM ingest_checkpoints").rows[0][0].int64
            == Int64(Data(lines.joined()).count + Data(lines[0..<5].joined()).count))
    }

    /// stdin has no checkpoint: lines consumed before SIGINT are committed, not dropped, even
    /// the last partial chunk (two chunks of 5,000 and 2,000 lines here).
    @Test func stdinStoppedBySIGINTKeepsEveryLineFed() async throws {
        let scratch = try Scratch()
        let clean = String(decoding: try Fixtures.data("clean.jsonl"), as: UTF8.self)
        let data = Data((0..<200).map { copy in
            clean.replacingOccurrences(of: "\"id\": \"planner-7-", with: "\"id\": \"c\(copy)-planner-7-")
                .replacingOccurrences(of: "\"run-", with: "\"run-c\(copy)-")
        }.joined().utf8)
        let db = scratch.directory.appendingPathComponent("stdin.duckdb").path
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // A copy of the read end, to see when the child has taken everything out of the pipe.
        let probe = dup(fds[0])
        defer { close(probe) }
        let ingest = try IngestProcess(["--db", db, "-"], in: scratch.directory,
                                       standardInput: FileHandle(fileDescriptor: fds[0], closeOnDealloc: true))
        let writer = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        let written = DispatchSemaphore(value: 0)
        // The pipe holds 64 KiB: the write blocks until the child reads, so off the test's thread.
        Thread { writer.write(data); written.signal() }.start()
        let deadline = ContinuousClock.now + .seconds(120)
        var unread: Int32 = 1
        var allWritten = false
        // The semaphore is signalled once: remember it, then wait for the pipe to empty.
        while !allWritten || (ioctl(probe, UInt(FIONREAD), &unread) == 0 && unread > 0) {
            if !allWritten, written.wait(timeout: .now()) == .success {
                allWritten = true
                continue
            }
            guard ContinuousClock.now < deadline, ingest.process.isRunning else {
                throw TestFailure("stdin was not read; output:\n\(ingest.text)")
            }
            usleep(5_000)  // blocking: see killedMidFileThenRerunEndsAsOneCleanRun
        }
        // Every line is fed and taken; stdin stays open (a producer that is still there).
        kill(ingest.process.processIdentifier, SIGINT)
        try? writer.close()
        let termination = await ingest.finished()
        #expect(termination.status == 0 && !termination.bySignal, "\(ingest.text)")
        #expect(ingest.text.contains("stdin: 12000 lines, 12000 stored"), "\(ingest.text)")
        #expect(try Store(path: db).connect().query("SELECT count(*) FROM events").rows[0][0].int64 == 12_000)
    }

    @Test func followRefusesStdin() async throws {
        let scratch = try Scratch()
        let ingest = try IngestProcess(["--db", scratch.directory.appendingPathComponent("x.duckdb").path, "--follow", "-"],
                                       in: scratch.directory)
        #expect(await ingest.finished().status == 2)
        #expect(ingest.text.contains("--follow tails files and directories"))
    }
}
