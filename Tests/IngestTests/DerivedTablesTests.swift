import Contracts
import Foundation
import MemoryIngest
import MemoryStore
import Testing

/// The derived tables are functions of the raw rows: however and whenever they are derived,
/// and after `replay`, they are the same, byte for byte.
@Suite struct DerivedTablesTests {
    private func digests(_ scratch: Scratch) throws -> [String] {
        try RunDeriver.digests(on: scratch.store.connect()).map { "\($0.table) \($0.rows) \($0.md5)" }
    }

    @Test func replayGivesTheTablesLiveIngestBuilt() throws {
        // Live: derived after every chunk of lines, as the daemon's upkeep does while data arrives.
        let live = try Scratch()
        var lines = try Fixtures.lines("clean.jsonl") + Fixtures.lines("dirty.jsonl")
        lines.removeAll { $0.count > 100_000 }  // the huge line is rejected either way
        for (n, chunk) in stride(from: 0, to: lines.count, by: 17).map({ lines[$0..<min(lines.count, $0 + 17)] }).enumerated() {
            let path = try live.write(Data(chunk.joined()), to: "part-\(n).jsonl")
            _ = try live.ingestor().ingestFile(at: path)
            try RunDeriver.refresh(on: live.store.connect())
        }
        let liveDigests = try digests(live)
        #expect(try live.int("SELECT count(*) FROM runs") > 0)
        #expect(try live.int("SELECT count(*) FROM state_transitions") > 0)

        // Replay everything from the stored raw rows.
        let result = try RunDeriver.replay(.init(), on: live.store.connect())
        #expect(result.transitions > 0)
        #expect(try digests(live) == liveDigests)

        // A store that took the same lines at once and derived once.
        let once = try Scratch()
        _ = try once.ingestor().ingestFile(at: try once.write(Data(lines.joined()), to: "all.jsonl"))
        try RunDeriver.refresh(on: once.store.connect())
        #expect(try digests(once) == liveDigests)
    }

    @Test func aSelectiveReplayRebuildsOnlyItsRows() throws {
        let scratch = try Scratch()
        _ = try scratch.ingestor().ingestFile(at: try scratch.write(Fixtures.data("clean.jsonl"), to: "clean.jsonl"))
        try RunDeriver.refresh(on: scratch.store.connect())
        let before = try digests(scratch)
        let run = try #require(try scratch.strings("SELECT run_id FROM runs ORDER BY run_id LIMIT 1").first)
        // Damage one run's derived rows, then replay that run alone.
        try scratch.store.connect().execute("""
            DELETE FROM state_transitions WHERE run_id = '\(run)';
            UPDATE runs SET status = 'bogus' WHERE run_id = '\(run)';
            """)
        #expect(try digests(scratch) != before)
        let result = try RunDeriver.replay(.init(runID: run), on: scratch.store.connect())
        #expect(result.runs == 1)
        #expect(try digests(scratch) == before)
        // By topic: guard outcomes rebuilt, other tables untouched.
        try scratch.store.connect().execute("DELETE FROM guard_outcomes")
        try RunDeriver.replay(.init(topic: "dome.guard.outcome"), on: scratch.store.connect())
        #expect(try digests(scratch) == before)
    }

    @Test func runsAndStagesCombineSpansAndEnvelopes() throws {
        let scratch = try Scratch()
        _ = try scratch.ingestor().ingestFile(at: try scratch.write(Fixtures.data("clean.jsonl"), to: "clean.jsonl"))
        try RunDeriver.refresh(on: scratch.store.connect())
        // Every run's current state is the to_state of its highest seq.
        let mismatches = try scratch.int("""
            SELECT count(*) FROM runs r
            WHERE r.transition_count > 0 AND r.current_state IS DISTINCT FROM (
                SELECT to_state FROM state_transitions t WHERE t.run_id = r.run_id ORDER BY seq DESC LIMIT 1)
            """)
        #expect(mismatches == 0)
        #expect(try scratch.int("SELECT count(*) FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled', 'blocked', 'running')")
            == scratch.int("SELECT count(*) FROM runs WHERE transition_count > 0"))
        // Guard outcomes that name a stage make stage rows even before any span arrives.
        let guardedStages = try scratch.int("SELECT count(DISTINCT (run_id, stage)) FROM guard_outcomes WHERE stage IS NOT NULL")
        #expect(try scratch.int("SELECT count(*) FROM stages") == guardedStages)
        #expect(try scratch.int("SELECT count(*) FROM stages WHERE status = 'denied'")
            == scratch.int("SELECT count(DISTINCT (run_id, stage)) FROM guard_outcomes WHERE stage IS NOT NULL AND decision = 'deny'"))
        // Re-deriving with nothing new changes nothing.
        let before = try digests(scratch)
        #expect(try RunDeriver.refresh(on: scratch.store.connect()) == RunDeriver.Result())
        #expect(try digests(scratch) == before)
    }
}
