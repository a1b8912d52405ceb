import Contracts
import Foundation
import MemoryIngest
import MemoryStore
import Testing

@Suite struct EnvelopeIngestTests {
    /// dirty.jsonl ends exactly as dirty.expected.json says.
    @Test func dirtyFileEndsAsExpected() throws {
        let scratch = try Scratch()
        let expected = try JSONValue(parsing: Fixtures.data("dirty.expected.json"))
        func number(_ key: String) -> Int64? { expected[key]?.int64Value }
        let path = try scratch.write(Fixtures.data("dirty.jsonl"), to: "dirty.jsonl")

        let summary = try scratch.ingestor().ingestFile(at: path)

        #expect(try scratch.int("SELECT count(*) FROM events") == number("events_stored"))
        #expect(try scratch.int("SELECT count(DISTINCT (source, id)) FROM events WHERE NOT unknown_topic")
            == number("distinct_valid_ids"))
        #expect(try scratch.strings("SELECT id FROM events WHERE unknown_topic ORDER BY id")
            == expected["unknown_topic_ids"]?.arrayValue?.compactMap(\.stringValue))
        #expect(summary.unknownTopics == 1)
        // One reject per bad line, each under the kind the fixture names.
        let kinds = try scratch.strings("SELECT kind FROM ingest_rejects ORDER BY line")
        #expect(kinds.sorted() == expected["rejected_ids_or_kinds"]?.arrayValue?.compactMap(\.stringValue).sorted())
        #expect(summary.rejected == kinds.count)
        #expect(Int64(summary.duplicates) == number("duplicates_in_stream"))
        #expect(summary.stored == 61)
        // Excerpts are capped; the huge line's reject keeps only its start.
        #expect(try scratch.int("SELECT max(length(excerpt)) FROM ingest_rejects") <= Int64(EnvelopeIngestor.excerptCharacters))
        #expect(try scratch.int("SELECT line FROM ingest_rejects WHERE kind = 'huge_line'") == 55)

        // The derived tables hold exactly the fixture's numbers.
        let derived = try RunDeriver.refresh(on: scratch.store.connect())
        #expect(Int64(derived.guardOutcomes) == number("guard_outcomes"))
        #expect(try scratch.int("SELECT count(*) FROM guard_outcomes") == number("guard_outcomes"))
        #expect(try scratch.int("SELECT count(*) FROM guard_outcomes WHERE decision = 'deny'") == number("guard_denies"))
        #expect(try scratch.int("SELECT count(*) FROM state_transitions") == number("state_transitions"))
        #expect(try scratch.int("SELECT count(*) FROM memories") == number("facts"))
        #expect(try scratch.int("SELECT count(*) FROM memory_history WHERE surface = 'envelope'") == number("facts"))
        #expect(try scratch.int("SELECT count(*) FROM runs") == number("runs"))
        #expect(try scratch.int("SELECT sum(guard_denies) FROM runs") == number("guard_denies"))
        #expect(try scratch.int("SELECT sum(transition_count) FROM runs") == number("state_transitions"))

        let size = Int64(try Fixtures.data("dirty.jsonl").count)
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints WHERE source = '\(path)'") == size)
        #expect(try scratch.int("SELECT rows_total FROM ingest_checkpoints WHERE source = '\(path)'") == 61)
        #expect(try scratch.int("SELECT rejected_total FROM ingest_checkpoints WHERE source = '\(path)'") == 10)
    }

    @Test func cleanFileStoresEveryLine() throws {
        let scratch = try Scratch()
        let path = try scratch.write(Fixtures.data("clean.jsonl"), to: "clean.jsonl")
        let summary = try scratch.ingestor().ingestFile(at: path)
        #expect(summary.lines == 60 && summary.stored == 60 && summary.rejected == 0 && summary.duplicates == 0)
        #expect(try scratch.int("SELECT count(*) FROM events") == 60)
        #expect(try scratch.int("SELECT count(*) FROM ingest_rejects") == 0)
        #expect(try scratch.int("SELECT count(*) FROM events WHERE unknown_topic") == 0)
    }

    @Test func rerunningAddsNothing() throws {
        let scratch = try Scratch()
        let path = try scratch.write(Fixtures.data("dirty.jsonl"), to: "dirty.jsonl")
        _ = try scratch.ingestor().ingestFile(at: path)
        let before = try scratch.contents()

        let again = try scratch.ingestor().ingestFile(at: path)

        #expect(again.lines == 0 && again.stored == 0 && again.rejected == 0)
        #expect(again.resumedAt == Int64(try Fixtures.data("dirty.jsonl").count))
        #expect(try scratch.contents() == before)
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints WHERE source = '\(path)'") == again.resumedAt)
    }

    /// A run stopped anywhere — mid-line, inside the huge line, in small chunks — then resumed
    /// on the grown file ends with the same tables as one clean run.
    @Test(arguments: [1_000, 30_001, 600_000, 1_900_000, 2_046_320])
    func interruptedIngestMatchesOneCleanRun(cut: Int) throws {
        let dirty = try Fixtures.data("dirty.jsonl")
        let reference = try Scratch()
        _ = try reference.ingestor().ingestFile(at: reference.write(dirty, to: "dirty.jsonl"))

        let scratch = try Scratch()
        let path = try scratch.write(dirty.prefix(cut), to: "dirty.jsonl")
        let first = try scratch.ingestor(chunkLines: 7).ingestFile(at: path)
        #expect(first.pendingBytes > 0 || dirty[cut - 1] == UInt8(ascii: "\n") || dirty[cut] == UInt8(ascii: "\n"))
        // The producer appends the rest to the same file (same inode).
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: dirty.suffix(from: cut))
        try handle.close()
        let second = try scratch.ingestor(chunkLines: 7).ingestFile(at: path)

        #expect(second.resumedAt > 0 || cut < 1_000)
        #expect(first.stored + second.stored == 61)
        #expect(first.duplicates + second.duplicates == 7)
        #expect(try scratch.contents() == reference.contents())
        #expect(try scratch.int("SELECT position FROM ingest_checkpoints") == Int64(dirty.count))
    }

    /// stdin has no checkpoint; redeliveries within it and envelopes stored before are skipped.
    @Test func streamsAreDeduplicated() throws {
        let scratch = try Scratch()
        let clean = try Fixtures.data("clean.jsonl")
        func stream(_ data: Data, block: Int) -> () -> Data? {
            var offset = 0
            return {
                defer { offset += block }
                return offset < data.count ? data.subdata(in: offset..<min(offset + block, data.count)) : nil
            }
        }
        let ingestor = try scratch.ingestor(chunkLines: 25)
        let first = try ingestor.ingestStream(named: "stdin", read: stream(clean + clean, block: 1_000))
        #expect(first.lines == 120 && first.stored == 60 && first.duplicates == 60)
        let second = try ingestor.ingestStream(named: "stdin", read: stream(clean, block: 4_096))
        #expect(second.stored == 0 && second.duplicates == 60)
        #expect(try scratch.int("SELECT count(*) FROM events") == 60)
        #expect(try scratch.int("SELECT count(*) FROM events WHERE ingest_source = 'stdin'") == 60)
        #expect(try scratch.int("SELECT count(*) FROM ingest_checkpoints") == 0)
        // A stream's last line needs no newline: the stream is over.
        let last = try ingestor.ingestStream(named: "stdin", read: stream(Data(#"{"not": "an envelope"}"#.utf8), block: 10))
        #expect(last.rejected == 1)
    }

    /// A stream has no checkpoint: a stop commits the chunk being read and the whole lines the
    /// stream gave already, reads no more, and reports the partial line it drops.
    @Test func stoppedStreamKeepsEveryWholeLineItRead() throws {
        let scratch = try Scratch()
        let clean = try Fixtures.data("clean.jsonl")
        let partial = Data(#"{"schema": "opctrl/ev"#.utf8)
        var reads = 0
        let ingestor = try scratch.ingestor(chunkLines: 25)
        ingestor.shouldStop = { true }
        let summary = try ingestor.ingestStream(named: "stdin") {
            reads += 1
            return reads == 1 ? clean + partial : clean
        }
        #expect(reads == 1, "nothing is read after the stop")
        #expect(summary.lines == 60 && summary.stored == 60)
        #expect(try scratch.int("SELECT count(*) FROM events") == 60)
        #expect(summary.stoppedBeforeEnd && summary.droppedBytes == Int64(partial.count))
    }

    /// A different file at the same path (rotation, replacement) is read from its start.
    @Test func replacedFileIsReadFromTheStart() throws {
        let scratch = try Scratch()
        let lines = try Fixtures.lines("clean.jsonl")
        let path = try scratch.write(Data(lines[..<30].joined()), to: "events.jsonl")
        _ = try scratch.ingestor().ingestFile(at: path)

        // Written beside it, then renamed over it: a new inode at the same path.
        let replacement = try scratch.write(Data(lines[30...].joined()), to: "events.jsonl.new")
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: replacement, toPath: path)
        let summary = try scratch.ingestor().ingestFile(at: path)

        #expect(summary.resumedAt == 0)
        #expect(summary.lines == 30 && summary.stored == 30)
        #expect(try scratch.int("SELECT count(*) FROM events") == 60)
        // Both files' first lines, numbered as in their own file.
        #expect(try scratch.int("SELECT count(*) FROM events WHERE line = 1 AND byte_offset = 0") == 2)
    }

    /// Secrets never reach `events.data` or a reject's excerpt.
    @Test func payloadsAndExcerptsAreRedacted() throws {
        let scratch = try Scratch()
        let text = """
            {"specversion": "watcher.envelope.v1", "id": "s-1", "source": "watcher://test", "topic": "x.custom", \
            "type": "x.custom.v1", "time": "2026-02-15T09:00:00+02:00", "data": {"user": "ada", "password": "hunter2"}}
            not json, but it carries AKIAIOSFODNN7EXAMPLE

            """
        var data: Data? = Data(text.utf8)
        let summary = try scratch.ingestor().ingestStream(named: "stdin") { defer { data = nil }; return data }
        #expect(summary.stored == 1 && summary.unknownTopics == 1 && summary.rejected == 1 && summary.lines == 2)
        let stored = try scratch.strings("SELECT data::VARCHAR FROM events").first ?? ""
        #expect(!stored.contains("hunter2") && stored.contains("[REDACTED:password]") && stored.contains("ada"))
        let excerpt = try scratch.strings("SELECT excerpt FROM ingest_rejects").first ?? ""
        #expect(!excerpt.contains("AKIAIOSFODNN7EXAMPLE") && excerpt.hasPrefix("not json"))
        #expect(try scratch.int("SELECT count(*) FROM redactions WHERE table_name = 'events' AND row_key = 'watcher://test/s-1'") == 1)
        // The zone offset counts: 09:00+02:00 is 07:00 UTC.
        #expect(try scratch.int("SELECT epoch(time)::BIGINT FROM events") == 1_771_138_800)
    }
}
