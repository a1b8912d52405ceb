import Foundation
import MemoryIngest
import MemoryStore
import Testing

/// Transitions follow `seq` per run: out-of-order arrival is fine, contradictions are refused
/// with their reason, missing steps are counted on the run.
@Suite struct SequenceTests {
    @Test func outOfOrderArrivalIsAcceptedAndOrderedBySeq() throws {
        let scratch = try Scratch()
        let summary = try scratch.ingest(
            Envelopes.transition(id: "t2", run: "r1", seq: 2, from: "executing", to: "verifying")
                + Envelopes.transition(id: "t0", run: "r1", seq: 0, from: "queued", to: "planning")
                + Envelopes.transition(id: "t1", run: "r1", seq: 1, from: "planning", to: "executing"))
        #expect(summary.stored == 3 && summary.rejected == 0)
        try RunDeriver.refresh(on: scratch.store.connect())
        #expect(try scratch.strings("SELECT current_state FROM runs WHERE run_id = 'r1'") == ["verifying"])
        #expect(try scratch.int("SELECT seq_gaps FROM runs WHERE run_id = 'r1'") == 0)
        #expect(try scratch.int("SELECT count(*) FROM run_sequence WHERE run_id = 'r1'") == 3)
    }

    @Test func contradictionsAreRejectedWithTheirReason() throws {
        let scratch = try Scratch()
        try scratch.ingest(
            Envelopes.transition(id: "a0", run: "r1", seq: 0, from: "queued", to: "planning")
                + Envelopes.transition(id: "a1", run: "r1", seq: 1, from: "planning", to: "executing"))
        // In a later commit (checked against the stored run) and in one chunk with its neighbours.
        let summary = try scratch.ingest(
            Envelopes.transition(id: "b1", run: "r1", seq: 1, from: "planning", to: "blocked")  // seq 1 is a1's
                + Envelopes.transition(id: "b2", run: "r1", seq: 2, from: "blocked", to: "planning")  // a1 left executing
                + Envelopes.transition(id: "c0", run: "r2", seq: 0, from: "planning", to: "executing")  // seq 0 leaves queued
                + Envelopes.transition(id: "d3", run: "r3", seq: 3, from: "executing", to: "verifying")
                + Envelopes.transition(id: "d2", run: "r3", seq: 2, from: "planning", to: "blocked")  // d3 starts at executing
                + Envelopes.transition(id: "a1", run: "r1", seq: 1, from: "planning", to: "executing"))  // a redelivery
        #expect(summary.stored == 1 && summary.duplicates == 1 && summary.rejected == 4)
        let rejects = try scratch.rows("SELECT kind, reason FROM ingest_rejects ORDER BY line").map {
            ($0[0].string ?? "", $0[1].string ?? "")
        }
        #expect(rejects.map(\.0) == ["seq_conflict", "seq_state_mismatch", "seq_state_mismatch", "seq_state_mismatch"])
        #expect(rejects[0].1.contains("run r1 already has seq 1: event a1"))
        #expect(rejects[1].1.contains(#"from_state "blocked" of run r1 seq 2 is not where seq 1 (event a1) left the run: "executing""#))
        #expect(rejects[2].1.contains(#"seq 0 of run r2 leaves "planning", not the initial state "queued""#))
        #expect(rejects[3].1.contains(#"to_state "blocked" of run r3 seq 2 is not where seq 3 (event d3) starts: "executing""#))
        #expect(try scratch.int("SELECT line FROM ingest_rejects WHERE kind = 'seq_conflict'") == 1)
        #expect(try scratch.strings("SELECT excerpt FROM ingest_rejects ORDER BY line").allSatisfy { $0.hasPrefix("{\"specversion\"") })
        #expect(try scratch.int("SELECT count(*) FROM events") == 3)
    }

    @Test func aFreshWriterChecksAgainstWhatIsStored() throws {
        let scratch = try Scratch()
        try scratch.ingest(Envelopes.transition(id: "a0", run: "r1", seq: 0, from: "queued", to: "planning"))
        // Every `ingest` call builds a new ingestor (a new process, as far as the cache goes).
        let summary = try scratch.ingest(Envelopes.transition(id: "x0", run: "r1", seq: 0, from: "queued", to: "cancelled"))
        #expect(summary.rejected == 1 && summary.stored == 0)
    }

    @Test func gapsAreCountedOnTheRunUntilFilled() throws {
        let scratch = try Scratch()
        try scratch.ingest(
            Envelopes.transition(id: "g0", run: "r1", seq: 0, from: "queued", to: "planning")
                + Envelopes.transition(id: "g3", run: "r1", seq: 3, from: "verifying", to: "succeeded"))
        try RunDeriver.refresh(on: scratch.store.connect())
        #expect(try scratch.int("SELECT seq_gaps FROM runs WHERE run_id = 'r1'") == 2)
        #expect(try scratch.strings("SELECT status FROM runs WHERE run_id = 'r1'") == ["succeeded"])
        try scratch.ingest(
            Envelopes.transition(id: "g1", run: "r1", seq: 1, from: "planning", to: "executing")
                + Envelopes.transition(id: "g2", run: "r1", seq: 2, from: "executing", to: "verifying"))
        try RunDeriver.refresh(on: scratch.store.connect())
        #expect(try scratch.int("SELECT seq_gaps FROM runs WHERE run_id = 'r1'") == 0)
        let before = try RunDeriver.digests(on: scratch.store.connect()).map(\.md5)
        try RunDeriver.replay(.init(), on: scratch.store.connect())
        #expect(try RunDeriver.digests(on: scratch.store.connect()).map(\.md5) == before)
    }

    @Test func transitionsWithoutSeqAreNotChained() throws {
        let scratch = try Scratch()
        let summary = try scratch.ingest(
            Envelopes.transition(id: "n1", run: "r1", seq: nil, from: "planning", to: "executing")
                + Envelopes.transition(id: "n2", run: "r1", seq: nil, from: "planning", to: "executing"))
        #expect(summary.stored == 2 && summary.rejected == 0)
        #expect(try scratch.int("SELECT count(*) FROM run_sequence") == 0)
    }
}
