import Foundation
import MemoryIngest
import MemoryStore
import Testing

/// Producer partitions are checkpointed with the rows: highest offset and envelope count.
@Suite struct PartitionCheckpointTests {
    private func partitions(_ scratch: Scratch) throws -> [String] {
        try scratch.rows("SELECT source, partition, highest_offset, envelopes FROM ingest_partitions ORDER BY ALL").map {
            "\($0[0].string ?? "") \($0[1].int64 ?? -1) \($0[2].int64 ?? -1) \($0[3].int64 ?? -1)"
        }
    }

    @Test func dirtyFileRecordsItsPartition() throws {
        let scratch = try Scratch()
        _ = try scratch.ingestor().ingestFile(at: scratch.write(Fixtures.data("dirty.jsonl"), to: "dirty.jsonl"))
        // Every stored envelope carries partition 0; offsets arrive out of order up to 59.
        #expect(try partitions(scratch) == ["watcher://dome/planner-7 0 59 61"])
        // Offsets do not make a late envelope a redelivery: only (source, id) does.
        #expect(try scratch.int("SELECT count(*) FROM events WHERE \"offset\" < 31 AND line > 13") > 0)
    }

    @Test func chunkedAndResumedIngestRecordsTheSame() throws {
        let dirty = try Fixtures.data("dirty.jsonl")
        let reference = try Scratch()
        _ = try reference.ingestor().ingestFile(at: reference.write(dirty, to: "dirty.jsonl"))

        let scratch = try Scratch()
        let path = try scratch.write(dirty.prefix(600_000), to: "dirty.jsonl")
        _ = try scratch.ingestor(chunkLines: 3).ingestFile(at: path)
        try scratch.append(dirty.suffix(from: 600_000), to: path)
        _ = try scratch.ingestor(chunkLines: 3).ingestFile(at: path)
        _ = try scratch.ingestor(chunkLines: 3).ingestFile(at: path)  // nothing new
        #expect(try partitions(scratch) == partitions(reference))
    }

    @Test func partitionsAreKeptApart() throws {
        let scratch = try Scratch()
        try scratch.ingest(
            Envelopes.transition(id: "p0", run: "r1", seq: 0, from: "queued", to: "planning", partition: 0, offset: 7)
                + Envelopes.transition(id: "p1", run: "r2", seq: 0, from: "queued", to: "planning", partition: 1, offset: 3)
                + Envelopes.transition(id: "p2", run: "r3", seq: 0, from: "queued", to: "planning", partition: 1, offset: 4)
                + Envelopes.transition(id: "q0", run: "r4", seq: 0, from: "queued", to: "planning", partition: 0, offset: 1,
                                       source: "watcher://test/other")
                + Envelopes.transition(id: "z0", run: "r5", seq: 0, from: "queued", to: "planning", partition: nil))
        // A redelivery and a rejected line do not move a partition.
        try scratch.ingest(
            Envelopes.transition(id: "p1", run: "r2", seq: 0, from: "queued", to: "planning", partition: 1, offset: 3)
                + Envelopes.transition(id: "p9", run: "r2", seq: 0, from: "queued", to: "cancelled", partition: 1, offset: 9))
        #expect(try partitions(scratch) == [
            "watcher://test/other 0 1 1", "watcher://test/planner 0 7 1", "watcher://test/planner 1 4 2",
        ])
    }
}
